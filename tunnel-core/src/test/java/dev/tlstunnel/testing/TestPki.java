package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Throw-away certificates for tests: self-signed ECDSA P-256 for localhost, 127.0.0.1 and ::1. */
public final class TestPki {
  private TestPki() {}

  /** PEM files of one self-signed certificate and its key. */
  public record CertFiles(Path cert, Path key) {}

  /** Writes {@code cert.pem} and {@code key.pem} for {@code cn} into {@code dir}. */
  public static CertFiles selfSigned(Path dir, String cn) throws IOException {
    try {
      KeyPair pair = newKeyPair();
      return write(dir, cn, pair, pem(certificate(cn, cn, pair.getPublic(), pair.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a test certificate", e);
    }
  }

  /**
   * Writes a certificate for {@code cn} issued by a CA named {@code ca}, whose certificate (its own
   * issuer) follows it in the certificate file, and the key of {@code cn}'s.
   */
  public static CertFiles withChain(Path dir, String cn, String ca) throws IOException {
    try {
      KeyPair caPair = newKeyPair();
      KeyPair pair = newKeyPair();
      X509CertificateHolder caCert = certificate(ca, ca, caPair.getPublic(), caPair.getPrivate());
      X509CertificateHolder cert = certificate(cn, ca, pair.getPublic(), caPair.getPrivate());
      return write(dir, cn, pair, pem(cert) + pem(caCert));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a test certificate", e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    return gen.generateKeyPair();
  }

  private static X509CertificateHolder certificate(
      String cn, String issuer, PublicKey key, PrivateKey signer)
      throws IOException, OperatorCreationException {
    Instant now = Instant.now();
    GeneralNames sans =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1")
            });
    return new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + issuer),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(1, ChronoUnit.DAYS)),
            Date.from(now.plus(30, ChronoUnit.DAYS)),
            new X500Name("CN=" + cn),
            key)
        .addExtension(Extension.subjectAlternativeName, false, sans)
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
  }

  private static CertFiles write(Path dir, String cn, KeyPair pair, String certPem)
      throws IOException {
    Path cert = dir.resolve(cn + "-cert.pem");
    Path key = dir.resolve(cn + "-key.pem");
    Files.writeString(cert, certPem);
    Files.writeString(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
    return new CertFiles(cert, key);
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
