package dev.tlstunnel.client;

/**
 * Why a client stopped, with the process exit code the CLI uses for it.
 *
 * @param reason the kind of ending
 * @param message one line for the user
 */
public record ClientExit(Reason reason, String message) {

  /** The ways a client ends. */
  public enum Reason {
    /** Closed on request. */
    CLOSED(0),
    /** The server refused the key or the client id. */
    AUTH_FAILED(2),
    /** A proxy ended bind_failed or rejected while {@code exit_on_bind_failure} is set. */
    BIND_FAILURE(3),
    /** The server could not be reached, or the tunnel was lost. */
    CONNECTION_FAILED(4);

    private final int exitCode;

    Reason(int exitCode) {
      this.exitCode = exitCode;
    }

    /** The process exit code for this ending. */
    public int exitCode() {
      return exitCode;
    }
  }
}
