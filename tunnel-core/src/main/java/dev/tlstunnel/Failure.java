package dev.tlstunnel;

import java.util.Objects;

/**
 * A failure: its kind, one line for a user, and what else is known.
 *
 * @param kind what went wrong
 * @param message one line for a user or a log, naming what failed and why
 * @param expectedFingerprint for {@link FailureKind#UNTRUSTED_SERVER} with a pinned fingerprint:
 *     the pinned {@code sha256:…}; null otherwise
 * @param actualFingerprint for a pinned fingerprint that did not match: the server's {@code
 *     sha256:…}; null otherwise
 * @param cause the exception behind it, or null
 */
public record Failure(
    FailureKind kind,
    String message,
    String expectedFingerprint,
    String actualFingerprint,
    Throwable cause) {

  public Failure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** A failure with no fingerprints. */
  public static Failure of(FailureKind kind, String message, Throwable cause) {
    return new Failure(kind, message, null, null, cause);
  }

  /** {@code KIND: message}. */
  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
