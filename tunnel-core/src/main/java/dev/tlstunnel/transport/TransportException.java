package dev.tlstunnel.transport;

import java.io.IOException;

/** A transport could not be set up; the message is one line for the user. */
public final class TransportException extends IOException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message) {
    super(message);
  }

  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }
}
