package dev.tlstunnel.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates self-signed certificates (ECDSA P-256 by default, RSA on request) with subject
 * alternative names, written as PEM (certificate, and the key as unencrypted PKCS#8). Clients trust
 * such a certificate directly through {@code ca_cert_path}, or pin it with {@code
 * server_fingerprint}.
 */
public final class CertificateGenerator {

  /** The kinds of key a certificate can have. */
  public enum KeyType {
    /** ECDSA on P-256, signed with SHA256withECDSA. */
    EC("EC", "SHA256withECDSA", "ECDSA P-256"),
    /** RSA 3072, signed with SHA256withRSA. */
    RSA("RSA", "SHA256withRSA", "RSA 3072");

    private final String algorithm;
    private final String signature;
    private final String description;

    KeyType(String algorithm, String signature, String description) {
      this.algorithm = algorithm;
      this.signature = signature;
      this.description = description;
    }

    /** E.g. {@code ECDSA P-256}. */
    public String description() {
      return description;
    }

    KeyPair generate() throws GeneralSecurityException {
      KeyPairGenerator gen = KeyPairGenerator.getInstance(algorithm);
      if (this == EC) {
        gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      } else {
        gen.initialize(3072, new SecureRandom());
      }
      return gen.generateKeyPair();
    }
  }

  /** A generated certificate and its private key. */
  public record Generated(X509Certificate certificate, PrivateKey privateKey) {

    /** Writes the certificate and the key (owner-only where the file system allows) as PEM. */
    public void writePem(Path certFile, Path keyFile) throws IOException {
      Files.writeString(certFile, pem(certificate));
      Files.deleteIfExists(keyFile);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            keyFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(privateKey, null)));
    }
  }

  private CertificateGenerator() {}

  /** A certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}. */
  public static Generated localhost(Duration validity) throws IOException {
    return selfSigned(
        "localhost",
        List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")),
        validity);
  }

  /**
   * A self-signed ECDSA P-256 certificate.
   *
   * @param commonName the subject's CN
   * @param dnsNames DNS subject alternative names
   * @param addresses IP address subject alternative names
   * @param validity how long from now it is valid (it is also valid from one hour ago)
   */
  public static Generated selfSigned(
      String commonName, List<String> dnsNames, List<InetAddress> addresses, Duration validity)
      throws IOException {
    return selfSigned(commonName, dnsNames, addresses, validity, KeyType.EC);
  }

  /** A self-signed certificate with a key of {@code keyType}; see the other overload. */
  public static Generated selfSigned(
      String commonName,
      List<String> dnsNames,
      List<InetAddress> addresses,
      Duration validity,
      KeyType keyType)
      throws IOException {
    try {
      KeyPair pair = keyType.generate();
      X500Name subject =
          new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(validity)),
              subject,
              pair.getPublic());
      if (!dnsNames.isEmpty() || !addresses.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, sans(dnsNames, addresses));
      }
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder(keyType.signature).build(pair.getPrivate())));
      return new Generated(certificate, pair.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a certificate: " + e.getMessage(), e);
    }
  }

  private static GeneralNames sans(List<String> dnsNames, List<InetAddress> addresses) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
    addresses.forEach(
        address -> names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress())));
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
