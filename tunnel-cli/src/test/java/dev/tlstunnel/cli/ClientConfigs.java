package dev.tlstunnel.cli;

import java.io.IOException;
import java.nio.file.Path;

/** Client config files for error tests: one try, no reconnect, so every failure ends the client. */
final class ClientConfigs {
  private ClientConfigs() {}

  /** A client of 127.0.0.1:{@code port}; {@code extra} lines go into [client]. */
  static Path noReconnect(Path dir, int port, String authKey, String extra) throws IOException {
    return SampleConfigs.write(
        dir.resolve("client-" + port + ".toml"),
        """
        [client]
        server_addr = "127.0.0.1"
        server_port = %d
        auth_key = "%s"
        client_id = "newcomer"
        %s

        [client.reconnect]
        enabled = false
        """
            .formatted(port, authKey, extra));
  }
}
