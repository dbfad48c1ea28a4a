package dev.tlstunnel.reload;

import dev.tlstunnel.config.Fingerprints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * What a server's certificate and key files hold, to tell a rotated certificate from the running
 * one when the paths stay the same: the certificate's fingerprint and a digest of both files.
 *
 * @param fingerprint {@code sha256:...} of the first certificate of the file, as clients pin it
 * @param digest SHA-256 of the certificate file's bytes followed by the key file's
 */
public record TlsFiles(String fingerprint, String digest) {

  /**
   * Reads both files; null when there are none ({@code cert} null: a TLS context given in code).
   *
   * @throws IOException naming the file that cannot be read or holds no certificate
   */
  public static TlsFiles read(Path cert, Path key) throws IOException {
    if (cert == null || key == null) {
      return null;
    }
    byte[] certBytes = Files.readAllBytes(cert);
    byte[] keyBytes = Files.readAllBytes(key);
    X509Certificate first;
    try {
      first =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(certBytes));
    } catch (CertificateException | ClassCastException e) {
      throw new IOException("no certificate in " + cert + ": " + e.getMessage(), e);
    }
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    sha256.update(certBytes);
    sha256.update(keyBytes);
    return new TlsFiles(Fingerprints.sha256(first), HexFormat.of().formatHex(sha256.digest()));
  }
}
