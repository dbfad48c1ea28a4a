package dev.tlstunnel.cli;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.client.ClientExit;

/** The process exit codes, from the kinds of failure the library reports (README, "Exit codes"). */
final class ExitCodes {
  /** Success, or stopped with Ctrl+C / SIGTERM. */
  static final int OK = 0;

  /** Usage or configuration error, or any other failure to run the command. */
  static final int USAGE = 1;

  /** The server refused the key or the client id. */
  static final int AUTH_FAILED = 2;

  /**
   * A port could not be bound: the server's tunnel port, or a proxy's with exit_on_bind_failure.
   */
  static final int BIND_FAILURE = 3;

  /** The server could not be reached, or the tunnel was lost (with reconnecting off). */
  static final int CONNECTION_FAILED = 4;

  private ExitCodes() {}

  /** The exit code of a client that ended. */
  static int of(ClientExit exit) {
    if (exit.closedOnRequest()) {
      return OK;
    }
    return switch (exit.failure().kind()) {
      case AUTH_REFUSED, REFUSED, REPLACED -> AUTH_FAILED;
      case PROXY_FAILED -> BIND_FAILURE;
      case UNREACHABLE, TLS_HANDSHAKE, UNTRUSTED_SERVER, CONNECTION_LOST -> CONNECTION_FAILED;
      default -> USAGE;
    };
  }

  /** Whether a server that failed to start with {@code kind} failed on its tunnel port. */
  static boolean isBindFailure(FailureKind kind) {
    return kind == FailureKind.PORT_IN_USE
        || kind == FailureKind.PERMISSION_DENIED
        || kind == FailureKind.BIND_FAILED;
  }
}
