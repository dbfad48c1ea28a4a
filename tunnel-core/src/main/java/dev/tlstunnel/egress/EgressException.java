package dev.tlstunnel.egress;

/** A forwarded connection that could not be made: the kind and one line for the user. */
public final class EgressException extends Exception {
  private static final long serialVersionUID = 1L;

  private final EgressFailure failure;

  public EgressException(EgressFailure failure, String message) {
    super(message, null, false, false);
    this.failure = failure;
  }

  public EgressFailure failure() {
    return failure;
  }
}
