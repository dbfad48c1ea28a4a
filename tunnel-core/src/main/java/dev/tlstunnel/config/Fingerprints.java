package dev.tlstunnel.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate fingerprints as the config and the command line write them: {@code sha256:} and the
 * SHA-256 of the certificate's DER encoding as 64 lower-case hex digits. Colons between the bytes
 * and upper case are accepted on input.
 */
public final class Fingerprints {
  /** The prefix of every fingerprint. */
  public static final String PREFIX = "sha256:";

  private Fingerprints() {}

  /** {@code sha256:<64 hex digits>} of {@code certificate}. */
  public static String sha256(X509Certificate certificate) {
    try {
      return sha256(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate: " + e.getMessage(), e);
    }
  }

  /** {@code sha256:<64 hex digits>} of the DER bytes {@code der}. */
  public static String sha256(byte[] der) {
    try {
      return PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * The canonical form of a fingerprint: lower case, no colons between the bytes.
   *
   * @throws IllegalArgumentException when {@code fingerprint} is not {@code sha256:} and 32 hex
   *     bytes
   */
  public static String normalize(String fingerprint) {
    String s = fingerprint.trim().toLowerCase(Locale.ROOT);
    if (!s.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "fingerprint must start with '" + PREFIX + "', got '" + fingerprint + "'");
    }
    String hex = s.substring(PREFIX.length()).replace(":", "");
    if (hex.length() != 64 || !hex.chars().allMatch(Fingerprints::isHexDigit)) {
      throw new IllegalArgumentException(
          "fingerprint must be '" + PREFIX + "' and 64 hex digits, got '" + fingerprint + "'");
    }
    return PREFIX + hex;
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
