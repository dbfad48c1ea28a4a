package dev.tlstunnel.transport;

import java.security.cert.CertificateException;

/** The server's certificate is not the pinned one; says which was expected and which came. */
public final class FingerprintMismatchException extends CertificateException {
  private final String expected;
  private final String actual;

  FingerprintMismatchException(String expected, String actual) {
    super("server certificate fingerprint mismatch: expected " + expected + ", got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  /** The pinned fingerprint. */
  public String expected() {
    return expected;
  }

  /** The fingerprint of the certificate the server presented. */
  public String actual() {
    return actual;
  }

  /** The mismatch somewhere in {@code cause}'s chain, or null. */
  public static FingerprintMismatchException in(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof FingerprintMismatchException m) {
        return m;
      }
    }
    return null;
  }
}
