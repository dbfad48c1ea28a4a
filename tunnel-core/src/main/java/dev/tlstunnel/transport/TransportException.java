package dev.tlstunnel.transport;

import dev.tlstunnel.FailureKind;
import java.io.IOException;

/**
 * A transport could not be set up; the message is one line for the user, the kind says what went
 * wrong ({@code UNREACHABLE} unless told otherwise: a proxy or the server's HTTP endpoint refused,
 * or nothing answered in time).
 */
public final class TransportException extends IOException {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;

  public TransportException(String message) {
    this(FailureKind.UNREACHABLE, message, null);
  }

  public TransportException(String message, Throwable cause) {
    this(FailureKind.UNREACHABLE, message, cause);
  }

  public TransportException(FailureKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** What kind of failure it was. */
  public FailureKind kind() {
    return kind;
  }
}
