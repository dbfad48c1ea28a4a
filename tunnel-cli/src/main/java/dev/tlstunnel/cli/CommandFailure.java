package dev.tlstunnel.cli;

/** A command failed with a one-line message for the user and a specific exit code. */
final class CommandFailure extends Exception {
  private final int exitCode;

  CommandFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code. */
  int exitCode() {
    return exitCode;
  }
}
