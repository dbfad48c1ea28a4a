package dev.tlstunnel;

/**
 * A tunnel operation failed; {@link #failure()} says how. Futures of the API (a client's {@code
 * connected()}, a proxy's {@code whenHealthy()}) complete exceptionally with it.
 */
public class TunnelException extends Exception {
  private final transient Failure failure;

  public TunnelException(Failure failure) {
    super(failure.message(), failure.cause());
    this.failure = failure;
  }

  /** What went wrong. */
  public Failure failure() {
    return failure;
  }

  /** The kind of failure. */
  public FailureKind kind() {
    return failure.kind();
  }
}
