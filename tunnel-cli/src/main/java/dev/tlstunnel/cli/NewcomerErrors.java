package dev.tlstunnel.cli;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;

/**
 * Turns the errors a new user meets first into one line that also says what to do, with a specific
 * exit code where one exists. The core's messages say what went wrong; the advice here names
 * command-line options and config keys, which only the command line knows.
 */
final class NewcomerErrors {
  /** The start of the core's message when the tunnel port cannot be bound. */
  static final String TUNNEL_PORT_FAILURE = "cannot listen on tunnel port ";

  private NewcomerErrors() {}

  /**
   * Starts a server; a tunnel port that cannot be bound fails with exit code 3 and advice.
   *
   * @param portSetting where the user sets the port, e.g. {@code --port} or {@code server.bind_port
   *     in server.toml}
   */
  static TunnelServer startServer(ServerConfig config, String portSetting)
      throws TunnelStartException, CommandFailure {
    try {
      return TunnelServer.start(config);
    } catch (TunnelStartException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(TUNNEL_PORT_FAILURE)) {
        throw new CommandFailure(
            ClientExit.Reason.BIND_FAILURE.exitCode(),
            e.getMessage()
                + "; stop the process that holds it, or choose another port with "
                + portSetting,
            e);
      }
      throw e;
    }
  }

  /** The message of a client's end, with advice for the common causes. */
  static String explain(ClientExit exit) {
    // Native transports word errors like "finishConnect(..) failed with error(-111): ...".
    String message =
        exit.message().replaceAll("\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
    if (exit.reason() == ClientExit.Reason.AUTH_FAILED && message.contains("auth key")) {
      return message + "; use the key the server printed at start (its server.auth_key)";
    }
    if (exit.reason() != ClientExit.Reason.CONNECTION_FAILED) {
      return message;
    }
    if (message.contains("fingerprint mismatch")) {
      return message
          + "; if the server's certificate was replaced on purpose, use the new fingerprint it"
          + " prints at start, otherwise do not trust this server";
    }
    if (message.startsWith("cannot reach server")) {
      return message
          + "; check that the server is running, that the address and port are right, and that"
          + " no firewall blocks the port";
    }
    if (message.contains("TLS handshake") && looksLikeUntrustedCertificate(message)) {
      return message
          + "; pin the server's certificate with --server-fingerprint (server_fingerprint), or"
          + " trust it with ca_cert_path";
    }
    return message;
  }

  private static boolean looksLikeUntrustedCertificate(String message) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    return m.contains("certification path")
        || m.contains("pkix")
        || m.contains("certificate_unknown")
        || m.contains("self-signed")
        || m.contains("self signed")
        || m.contains("no subject alternative")
        || m.contains("certificate verify failed");
  }
}
