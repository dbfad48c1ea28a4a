package dev.tlstunnel.cli;

import dev.tlstunnel.Failure;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.server.TunnelServer;

/**
 * Turns the errors a new user meets first into one line that also says what to do, with a specific
 * exit code where one exists. The library's messages say what went wrong and its failure kinds say
 * which case it is; the advice here names command-line options and config keys, which only the
 * command line knows.
 */
final class NewcomerErrors {
  private NewcomerErrors() {}

  /**
   * Starts a server; a tunnel port that cannot be bound fails with exit code 3 and advice.
   *
   * @param portSetting where the user sets the port, e.g. {@code --port} or {@code server.bind_port
   *     in server.toml}
   */
  static TunnelServer startServer(TunnelServer.Builder server, String portSetting)
      throws TunnelStartException, CommandFailure {
    try {
      return server.start();
    } catch (TunnelStartException e) {
      if (ExitCodes.isBindFailure(e.kind())) {
        throw new CommandFailure(
            ExitCodes.BIND_FAILURE,
            e.getMessage()
                + "; stop the process that holds it, or choose another port with "
                + portSetting,
            e);
      }
      throw e;
    }
  }

  /** The message of a client's failure, with advice for the common causes. */
  static String explain(Failure failure) {
    String message = failure.message();
    return switch (failure.kind()) {
      case AUTH_REFUSED ->
          message + "; use the key the server printed at start (its server.auth_key)";
      case UNTRUSTED_SERVER ->
          failure.expectedFingerprint() != null
              ? message
                  + "; if the server's certificate was replaced on purpose, use the new fingerprint"
                  + " it prints at start, otherwise do not trust this server"
              : message
                  + "; pin the server's certificate with --server-fingerprint (server_fingerprint),"
                  + " or trust it with ca_cert_path";
      case UNREACHABLE ->
          message
              + "; check that the server is running, that the address and port are right, and that"
              + " no firewall blocks the port";
      default -> message;
    };
  }
}
