package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigLoaderTest {
  static final String KEY = "0123456789abcdef-secret";

  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.writeString(dir.resolve("server.crt"), "cert");
    Files.writeString(dir.resolve("server.key"), "key");
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/ca.crt"), "ca");
  }

  @Test
  void fullServerFileMapsToRecord() throws Exception {
    Path file =
        write(
            "server.toml",
            """
            [server]
            bind_addr = "127.0.0.1"
            bind_port = 7000
            cert_path = "server.crt"
            key_path = "server.key"
            auth_key = "%s"
            handshake_timeout = "1.5s"
            keepalive_interval = "5s"
            keepalive_timeout = "20s"
            shutdown_grace = "3s"

            [server.bind_retry]
            max_retries = -1
            initial_delay = "250ms"
            max_delay = "1m30s"
            """
                .formatted(KEY));
    ServerConfig c = ConfigLoader.loadServer(file);
    assertThat(c)
        .isEqualTo(
            new ServerConfig(
                "127.0.0.1",
                7000,
                dir.resolve("server.crt"),
                dir.resolve("server.key"),
                KEY,
                Duration.ofMillis(1500),
                new BindRetryPolicy(-1, Duration.ofMillis(250), Duration.ofSeconds(90)),
                new KeepAlive(Duration.ofSeconds(5), Duration.ofSeconds(20)),
                Duration.ofSeconds(3),
                Limits.DEFAULT,
                ServerTransportConfig.DEFAULT,
                EgressConfig.OFF,
                MonitoringConfig.DEFAULT,
                ReloadConfig.DEFAULT,
                EdgeConfig.DEFAULT));
  }

  @Test
  void minimalServerFileTakesDefaults() throws Exception {
    ServerConfig c =
        ConfigLoader.loadServer(
            write(
                "s.toml",
                "[server]\nbind_port = 7000\ncert_path = \"server.crt\"\n"
                    + "key_path = \"server.key\"\nauth_key = \""
                    + KEY
                    + "\"\n"));
    assertThat(c.bindAddr()).isEqualTo("0.0.0.0");
    assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.bindRetry()).isEqualTo(BindRetryPolicy.DEFAULT);
    assertThat(c.keepAlive()).isEqualTo(KeepAlive.DEFAULT);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void fullClientFileMapsToRecord() throws Exception {
    Path file =
        write(
            "client.toml",
            """
            [client]
            server_addr = "tunnel.example.com"
            server_port = 7000
            auth_key = "%s"
            ca_cert_path = "pki/ca.crt"
            skip_verify = false
            client_id = "edge-1"
            admin_addr = "127.0.0.2"
            admin_port = 7400
            exit_on_bind_failure = true
            local_connect_retries = 0
            local_retry_delay = "250ms"
            local_connect_timeout = "2s"
            server_fingerprint = "sha256:%s"
            keepalive_interval = "2s"
            keepalive_timeout = "6s"
            shutdown_grace = "0s"

            [client.reconnect]
            initial_delay = "500ms"
            max_delay = "10s"
            retry_on_auth_failure = true

            [[proxies]]
            name = "web"
            publish_addr = "127.0.0.1"
            publish_port = 8080
            local_addr = "localhost"
            local_port = 3000
            proxy_type = "http/1.1"
            bind_retry = { max_retries = 5, initial_delay = "1s", max_delay = "30s" }

            [[proxies]]
            name = "ssh"
            publish_port = 2222
            local_port = 22
            """
                .formatted(KEY, "AB".repeat(32)));
    ClientConfig c = ConfigLoader.loadClient(file);
    assertThat(c)
        .isEqualTo(
            new ClientConfig(
                ClientConfig.builder()
                    .server("tunnel.example.com", 7000)
                    .authKey(KEY)
                    .caCertPath(dir.resolve("pki/ca.crt"))
                    .clientId("edge-1")
                    .admin("127.0.0.2", 7400)
                    .exitOnBindFailure(true)
                    .localConnect(0, Duration.ofMillis(250), Duration.ofSeconds(2))
                    .serverFingerprint("sha256:" + "ab".repeat(32))
                    .reconnect(
                        new ReconnectPolicy(
                            true, Duration.ofMillis(500), Duration.ofSeconds(10), true))
                    .keepAlive(new KeepAlive(Duration.ofSeconds(2), Duration.ofSeconds(6)))
                    .shutdownGrace(Duration.ZERO)
                    .proxies(
                        List.of(
                            new ProxyConfig(
                                "web",
                                "127.0.0.1",
                                8080,
                                "localhost",
                                3000,
                                ProxyType.HTTP_1_1,
                                new BindRetryPolicy(
                                    5, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                                null),
                            new ProxyConfig(
                                "ssh",
                                "0.0.0.0",
                                2222,
                                "127.0.0.1",
                                22,
                                ProxyType.TCP,
                                null,
                                null)))));
  }

  @Test
  void minimalClientFileTakesDefaults() throws Exception {
    ClientConfig c =
        ConfigLoader.parseClient(
            "[client]\nserver_addr = \"h\"\nserver_port = 7000\nauth_key = \"" + KEY + "\"\n", dir);
    assertThat(c.clientId()).isEqualTo(ClientConfig.defaultClientId()).matches(Checks.NAME_PATTERN);
    assertThat(c.adminAddr()).isEqualTo("127.0.0.1");
    assertThat(c.adminPort()).isNull();
    assertThat(c.caCertPath()).isNull();
    assertThat(c.skipVerify()).isFalse();
    assertThat(c.exitOnBindFailure()).isFalse();
    assertThat(c.localConnectRetries()).isEqualTo(3);
    assertThat(c.localRetryDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.localConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.proxies()).isEmpty();
  }

  @Test
  void partialProxyRetryFillsMissingFieldsFromDefault() throws Exception {
    ClientConfig c =
        ConfigLoader.parseClient(
            ConfigValidationTest.client(
                "[[proxies]]\nname='a'\npublish_port=8080\nlocal_port=1\n"
                    + "bind_retry = { max_delay = \"1s\" }\n"
                    + "[[proxies]]\nname='b'\npublish_port=8081\nlocal_port=1\n"
                    + "bind_retry = { initial_delay = \"2m\" }\n"),
            dir);
    assertThat(c.proxies().get(0).bindRetry())
        .isEqualTo(new BindRetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertThat(c.proxies().get(1).bindRetry())
        .isEqualTo(new BindRetryPolicy(10, Duration.ofMinutes(2), Duration.ofMinutes(2)));
  }

  @Test
  void relativePathsResolveAgainstTheFilesDirectory() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("etc/tunnel"));
    Files.writeString(sub.resolve("a.crt"), "c");
    Files.writeString(dir.resolve("abs.key"), "k");
    Path file =
        Files.writeString(
            sub.resolve("server.toml"),
            "[server]\nbind_port = 7000\ncert_path = \"a.crt\"\nkey_path = \"../../abs.key\"\n"
                + "auth_key = \""
                + KEY
                + "\"\n");
    ServerConfig c = ConfigLoader.loadServer(file);
    assertThat(c.certPath()).isEqualTo(sub.resolve("a.crt"));
    assertThat(c.keyPath()).isEqualTo(dir.resolve("abs.key"));
    assertThat(c.certPath()).isAbsolute();
  }

  @Test
  void detectTellsServerFromClient() throws Exception {
    assertThat(ConfigLoader.detect(write("a.toml", "[server]\nbind_port = 1\n")))
        .isEqualTo(ConfigLoader.Kind.SERVER);
    assertThat(ConfigLoader.detect(write("b.toml", "[client]\n[[proxies]]\nname='x'\n")))
        .isEqualTo(ConfigLoader.Kind.CLIENT);
    Path both = write("c.toml", "[server]\n[client]\n");
    assertThatThrownBy(() -> ConfigLoader.detect(both))
        .hasMessage(both + ": has both [server] and [client]; a file configures one side");
    Path none = write("d.toml", "[proxies]\n");
    assertThatThrownBy(() -> ConfigLoader.detect(none))
        .hasMessage(none + ": neither [server] nor [client] found");
  }

  @Test
  void syntaxErrorNamesFileLineAndColumn() throws Exception {
    Path file = write("bad.toml", "[server]\nbind_port = 7000\nauth_key = \"unterminated\n");
    assertThatThrownBy(() -> ConfigLoader.loadServer(file))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              assertThat(((ConfigException) e).problems()).hasSize(1);
              assertThat(e.getMessage()).startsWith(file + ": line 3, column ");
              assertThat(e.getMessage()).contains("invalid TOML: ");
            });
  }

  @Test
  void duplicateTomlKeyIsASyntaxError() {
    // Jackson reports the position after the duplicate line.
    assertThatThrownBy(() -> ConfigLoader.parseServer("[server]\nbind_port=1\nbind_port=2\n", dir))
        .hasMessage("<config>: line 4, column 1: invalid TOML: Duplicate key");
  }

  @Test
  void missingFileIsReported() {
    Path file = dir.resolve("nope.toml");
    assertThatThrownBy(() -> ConfigLoader.loadClient(file))
        .hasMessage(file + ": file not found: " + file);
  }

  @Test
  void wrongKindOfFileIsNamed() {
    assertThatThrownBy(() -> ConfigLoader.parseServer("[client]\nserver_port = 1\n", dir))
        .hasMessage("<config>: this is a client configuration ([client]); expected [server]");
    assertThatThrownBy(() -> ConfigLoader.parseClient("[server]\n", dir))
        .hasMessage("<config>: this is a server configuration ([server]); expected [client]");
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }
}
