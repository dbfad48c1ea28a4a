package dev.tlstunnel.cli;

import dev.tlstunnel.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Config files for tests, in the TOML format the README documents. */
final class SampleConfigs {
  private SampleConfigs() {}

  /** A server config on 127.0.0.1 with a fresh self-signed certificate. */
  static Path server(Path dir, int port, String authKey) throws IOException {
    TestPki.CertFiles pki = TestPki.selfSigned(dir, "localhost");
    return write(
        dir.resolve("server.toml"),
        """
        [server]
        bind_addr = "127.0.0.1"
        bind_port = %d
        cert_path = "%s"
        key_path = "%s"
        auth_key = "%s"
        handshake_timeout = "10s"

        [server.bind_retry]
        max_retries = 10
        initial_delay = "2s"
        max_delay = "60s"
        """
            .formatted(port, pki.cert(), pki.key(), authKey));
  }

  /** A client config publishing one proxy; the admin API is off when {@code adminPort} is null. */
  static Path client(Path dir, String adminAddr, Integer adminPort) throws IOException {
    return client(dir, "127.0.0.1", 7000, "secret-key-0123456789", null, adminAddr, adminPort);
  }

  static Path client(
      Path dir,
      String serverAddr,
      int serverPort,
      String authKey,
      Path caCert,
      String adminAddr,
      Integer adminPort)
      throws IOException {
    StringBuilder toml = new StringBuilder("[client]\n");
    toml.append("server_addr = \"").append(serverAddr).append("\"\n");
    toml.append("server_port = ").append(serverPort).append('\n');
    toml.append("auth_key = \"").append(authKey).append("\"\n");
    if (caCert != null) {
      toml.append("ca_cert_path = \"").append(caCert).append("\"\n");
    }
    toml.append("client_id = \"office-pc\"\n");
    if (adminPort != null) {
      toml.append("admin_addr = \"").append(adminAddr).append("\"\n");
      toml.append("admin_port = ").append(adminPort).append('\n');
    }
    toml.append(
        """

        [[proxies]]
        name = "web"
        publish_addr = "127.0.0.1"
        publish_port = 18080
        local_addr = "127.0.0.1"
        local_port = 3000
        proxy_type = "tcp"
        """);
    return write(dir.resolve("client.toml"), toml.toString());
  }

  /** Writes a config file readable by its owner only, as the templates are. */
  static Path write(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
