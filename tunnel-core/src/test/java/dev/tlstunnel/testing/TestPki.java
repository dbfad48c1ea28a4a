package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
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
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = gen.generateKeyPair();
      Instant now = Instant.now();
      GeneralNames sans =
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              });
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  new X500Name("CN=" + cn),
                  BigInteger.valueOf(now.toEpochMilli()),
                  Date.from(now.minus(1, ChronoUnit.DAYS)),
                  Date.from(now.plus(30, ChronoUnit.DAYS)),
                  new X500Name("CN=" + cn),
                  pair.getPublic())
              .addExtension(Extension.subjectAlternativeName, false, sans)
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      Path cert = dir.resolve(cn + "-cert.pem");
      Path key = dir.resolve(cn + "-key.pem");
      Files.writeString(cert, pem(holder));
      Files.writeString(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
      return new CertFiles(cert, key);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a test certificate", e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
