package dev.tlstunnel;

/** A server or client could not start; the message is one line for the user. */
public final class TunnelStartException extends Exception {
  public TunnelStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
