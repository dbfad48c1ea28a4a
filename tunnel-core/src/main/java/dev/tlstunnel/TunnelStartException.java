package dev.tlstunnel;

/**
 * A server or client could not start (a port that cannot be bound, a certificate that cannot be
 * used); nothing was left running. The message is one line for the user; {@link #failure()} says
 * what kind of failure it was.
 */
public final class TunnelStartException extends TunnelException {
  public TunnelStartException(Failure failure) {
    super(failure);
  }
}
