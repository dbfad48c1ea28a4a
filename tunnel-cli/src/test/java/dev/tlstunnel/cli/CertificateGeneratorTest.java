package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CertificateGeneratorTest {
  private static final int DNS = 2;
  private static final int IP = 7;

  @Test
  @Timeout(30)
  void localhostCertificateParsesWithSansAndMatchingKey(@TempDir Path dir) throws Exception {
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    CertificateGenerator.localhost(Duration.ofDays(2)).writePem(certFile, keyFile);

    X509Certificate cert;
    try (InputStream in = Files.newInputStream(certFile)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    cert.checkValidity(new Date());
    cert.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(1))));
    cert.verify(cert.getPublicKey());
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(DNS, "localhost"), List.of(IP, "127.0.0.1"), List.of(IP, "0:0:0:0:0:0:0:1"));

    PrivateKey key = readPkcs8(keyFile);
    byte[] data = "proof of possession".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(cert.getPublicKey());
    verifier.update(data);
    assertThat(verifier.verify(signature)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
  }

  @Test
  @Timeout(30)
  void everyCertificateHasItsOwnKeyAndSerial() throws Exception {
    CertificateGenerator.Generated a = CertificateGenerator.localhost(Duration.ofDays(1));
    CertificateGenerator.Generated b = CertificateGenerator.localhost(Duration.ofDays(1));
    assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    assertThat(a.certificate().getSerialNumber().signum()).isPositive();
    assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
  }

  private static PrivateKey readPkcs8(Path file) throws Exception {
    String pem = Files.readString(file);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    String base64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
