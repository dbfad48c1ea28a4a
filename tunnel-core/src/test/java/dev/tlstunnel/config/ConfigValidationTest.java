package dev.tlstunnel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** Each rule of the config files and the exact message it produces. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigValidationTest {
  static final String KEY = ConfigLoaderTest.KEY;

  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp() throws IOException {
    Files.writeString(dir.resolve("server.crt"), "cert");
    Files.writeString(dir.resolve("server.key"), "key");
    logs.start();
    ((Logger) LoggerFactory.getLogger(ConfigValidator.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(ConfigValidator.class)).detachAppender(logs);
  }

  static String server(String serverKeys, String rest) {
    return "[server]\ncert_path = \"server.crt\"\nkey_path = \"server.key\"\n" + serverKeys + rest;
  }

  static String server(String serverKeys) {
    return server(serverKeys, "");
  }

  static String client(String rest) {
    return "[client]\nserver_addr = \"tunnel.example.com\"\nserver_port = 7000\nauth_key = \""
        + KEY
        + "\"\n"
        + rest;
  }

  static String proxy(String name, int publishPort) {
    return "[[proxies]]\nname = \""
        + name
        + "\"\npublish_port = "
        + publishPort
        + "\nlocal_port = 3000\n";
  }

  private List<String> serverProblems(String toml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseServer(toml, dir))
        .problems();
  }

  private List<String> clientProblems(String toml) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parseClient(toml, dir))
        .problems();
  }

  @ParameterizedTest
  @CsvSource({"0", "65536", "-1"})
  void serverBindPortOutOfRange(int port) {
    assertThat(serverProblems(server("bind_port = " + port + "\nauth_key = \"" + KEY + "\"\n")))
        .containsExactly("server.bind_port: must be between 1 and 65535, got " + port);
  }

  @Test
  void serverBindPortZeroIsAllowedThroughTheApi() throws Exception {
    ServerConfig c =
        new ServerConfig(
            null,
            0,
            dir.resolve("server.crt"),
            dir.resolve("server.key"),
            KEY,
            Duration.ofSeconds(10),
            null,
            null,
            Duration.ofSeconds(10),
            null,
            null,
            null,
            null,
            null,
            null);
    ServerConfig checked = ConfigValidator.validate(c);
    assertThat(checked.bindAddr()).isEqualTo("0.0.0.0");
    assertThat(checked.bindRetry()).isEqualTo(BindRetryPolicy.DEFAULT);
  }

  @Test
  void apiConfigWithNullsNamesEveryMissingKey() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ConfigValidator.validate(
                    new ServerConfig(
                        "",
                        7000,
                        null,
                        null,
                        null,
                        Duration.ZERO,
                        null,
                        null,
                        Duration.ZERO,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
    // In code the certificate may come as an SslContext given to TunnelServer's builder instead.
    assertThat(e.problems())
        .containsExactly(
            "server.bind_addr: must not be empty",
            "server.auth_key: missing required key",
            "server.handshake_timeout: must be positive, got 0s");
  }

  @Test
  void missingFilesAreNamedWithTheirAbsolutePath() throws IOException {
    Files.delete(dir.resolve("server.key"));
    Files.createDirectory(dir.resolve("certdir"));
    String toml =
        "[server]\nbind_port = 7000\ncert_path = \"certdir\"\nkey_path = \"server.key\"\n"
            + "auth_key = \""
            + KEY
            + "\"\n";
    assertThat(serverProblems(toml))
        .containsExactly(
            "server.cert_path: not a regular file: " + dir.resolve("certdir"),
            "server.key_path: file not found: " + dir.resolve("server.key"));
    assertThat(clientProblems(client("ca_cert_path = \"missing/ca.crt\"\n")))
        .containsExactly("client.ca_cert_path: file not found: " + dir.resolve("missing/ca.crt"));
  }

  @Test
  void shortAuthKeyGivesItsLengthButNeverItsValue() {
    String toml = "[client]\nserver_addr = \"h\"\nserver_port = 7000\nauth_key = \"abcde\"\n";
    List<String> problems = clientProblems(toml);
    assertThat(problems).containsExactly("client.auth_key: must be at least 16 characters (got 5)");
    assertThat(String.join("", problems)).doesNotContain("abcde");
  }

  @Test
  void missingRequiredKeysAreNamed() {
    assertThat(clientProblems("[client]\n[[proxies]]\npublish_addr = \"1.2.3.4\"\n"))
        .containsExactly(
            "proxies[0].name: missing required key",
            "proxies[0].publish_port: missing required key",
            "proxies[0].local_port: missing required key",
            "client.server_addr: missing required key",
            "client.server_port: missing required key",
            "client.auth_key: missing required key");
    assertThat(serverProblems("")).containsExactly("server: missing required key");
  }

  @Test
  void unknownKeySuggestsTheClosestValidKey() {
    assertThat(clientProblems(client("sever_port = 7001\n")))
        .containsExactly("client.sever_port: unknown key (did you mean server_port?)");
    assertThat(
            serverProblems(
                server(
                    "bind_port = 7000\nauth_key = \"" + KEY + "\"\n",
                    "[server.bind_retry]\nmax_retry = 3\n")))
        .containsExactly("server.bind_retry.max_retry: unknown key (did you mean max_retries?)");
    assertThat(clientProblems(client(proxy("a", 8080) + "colour = \"blue\"\n")))
        .containsExactly(
            "proxies[0].colour: unknown key (valid keys: name, publish_addr, publish_port,"
                + " local_addr, local_port, proxy_type, bind_retry, health_check, group, group_key,"
                + " strategy, priority, proxy_protocol, visibility, allowed_visitors, secret,"
                + " secret_file, secret_env)");
    assertThat(clientProblems(client("[[proxy]]\nname = \"a\"\n")))
        .containsExactly("proxy: unknown key (did you mean proxies?)");
  }

  @Test
  void wrongTypesNameTheKeyAndTheExpectedType() {
    assertThat(
            clientProblems(
                "[client]\nserver_addr = 1\nserver_port = \"7000\"\nauth_key = \""
                    + KEY
                    + "\"\nskip_verify = \"yes\"\nlocal_retry_delay = 5\n"
                    + "admin_port = 99999999999\n"
                    + "[[proxies]]\nname = \"a\"\npublish_port = 1.5\nlocal_port = 3000\n"
                    + "bind_retry = \"fast\"\n"))
        .containsExactly(
            "proxies[0].bind_retry: expected a table, got string",
            "proxies[0].publish_port: expected an integer, got float",
            "client.server_addr: expected a string, got integer",
            "client.server_port: expected an integer, got string",
            "client.skip_verify: expected a boolean, got string",
            "client.admin_port: must be a 32-bit integer, got 99999999999",
            "client.local_retry_delay: expected a duration string such as \"2s\" or \"250ms\","
                + " got integer");
    assertThat(clientProblems(client("proxies = 5\n")))
        .containsExactly(
            "client.proxies: unknown key (valid keys: server_addr, server_port,"
                + " auth_key, auth_key_file, auth_key_env, ca_cert_path, skip_verify, client_id, admin_addr, admin_port,"
                + " exit_on_bind_failure, local_connect_retries, local_retry_delay,"
                + " local_connect_timeout, server_fingerprint, keepalive_interval,"
                + " keepalive_timeout, shutdown_grace, reconnect, transport, path, host, headers,"
                + " ping_interval, proxy_url, admin_token, admin_user, admin_password,"
                + " metrics_label_limit, notify, watch, watch_interval, log_level)");
    assertThat(clientProblems("proxies = [1]\n" + client("")))
        .containsExactly("proxies[0]: expected a table, got integer");
  }

  @Test
  void portZeroIsRejectedForLocalPortsAndLetsTheServerPickAPublishPort() {
    assertThat(
            clientProblems(client("[[proxies]]\nname = \"a\"\npublish_port = 0\nlocal_port = 0\n")))
        .containsExactly("proxies[0].local_port: must be between 1 and 65535, got 0");
  }

  @Test
  void adminPortZeroIsAllowed() throws Exception {
    assertThat(ConfigLoader.parseClient(client("admin_port = 0\n"), dir).adminPort()).isZero();
  }

  @Test
  void duplicateProxyNamesNameBothEntries() {
    assertThat(
            clientProblems(
                client(
                    proxy("web", 8080)
                        + proxy("api", 8081)
                        + proxy("x", 8082)
                        + proxy("web", 8083))))
        .containsExactly("proxies[3].name: duplicate name 'web' (also proxies[0].name)");
  }

  @Test
  void overlappingPublishBindingsNameBothEntries() throws Exception {
    String p1 = proxy("a", 8080);
    String p2 = proxy("b", 8080) + "publish_addr = \"127.0.0.1\"\n";
    assertThat(clientProblems(client(p1 + p2)))
        .containsExactly(
            "proxies[1].publish_port: binding 127.0.0.1:8080 overlaps proxies[0] 'a'"
                + " (0.0.0.0:8080)");
    String p3 = proxy("c", 9000) + "publish_addr = \"::\"\n";
    String p4 = proxy("d", 9000) + "publish_addr = \"10.0.0.1\"\n";
    assertThat(clientProblems(client(p3 + p4)))
        .containsExactly(
            "proxies[1].publish_port: binding 10.0.0.1:9000 overlaps proxies[0] 'c' ([::]:9000)");
    String p5 = proxy("e", 8080) + "publish_addr = \"127.0.0.2\"\n";
    assertThat(ConfigLoader.parseClient(client(p2 + p5), dir).proxies()).hasSize(2);
  }

  @Test
  void publishPortEqualToTheServerPortIsRejected() {
    assertThat(clientProblems(client(proxy("a", 7000))))
        .containsExactly(
            "proxies[0].publish_port: 7000 equals client.server_port (the tunnel's own port)");
  }

  @Test
  void namesMustMatchThePattern() {
    assertThat(clientProblems(client("client_id = \"my host\"\n" + proxy("my web", 8080))))
        .containsExactly(
            "client.client_id: must match [A-Za-z0-9._-]{1,64}, got 'my host'",
            "proxies[0].name: must match [A-Za-z0-9._-]{1,64}, got 'my web'");
  }

  @Test
  void proxyTypeMustBeKnown() {
    assertThat(clientProblems(client(proxy("a", 8080) + "proxy_type = \"udp\"\n")))
        .containsExactly(
            "proxies[0].proxy_type: must be one of tcp, http/1.1, http/2.0 or ssh, got 'udp'");
  }

  @Test
  void retryPolicyRules() {
    String retry =
        "[server.bind_retry]\nmax_retries = -2\ninitial_delay = \"5s\"\nmax_delay = \"1s\"\n";
    assertThat(serverProblems(server("bind_port = 7000\nauth_key = \"" + KEY + "\"\n", retry)))
        .containsExactly(
            "server.bind_retry.max_retries: must be -1 (retry forever) or more, got -2",
            "server.bind_retry.max_delay: must be at least initial_delay (5s), got 1s");
    String zero = "[server.bind_retry]\ninitial_delay = \"0s\"\n";
    assertThat(serverProblems(server("bind_port = 7000\nauth_key = \"" + KEY + "\"\n", zero)))
        .containsExactly("server.bind_retry.initial_delay: must be positive, got 0s");
    String unit = "[server.bind_retry]\ninitial_delay = \"2x\"\n";
    assertThat(serverProblems(server("bind_port = 7000\nauth_key = \"" + KEY + "\"\n", unit)))
        .containsExactly(
            "server.bind_retry.initial_delay: unknown unit 'x' in '2x' (use ms, s, m or h)");
  }

  @Test
  void clientNumericRules() {
    assertThat(
            clientProblems(
                client(
                    "local_connect_retries = -1\nlocal_connect_timeout = \"0s\"\n"
                        + "admin_port = 65536\n")))
        .containsExactly(
            "client.admin_port: must be between 0 and 65535, got 65536",
            "client.local_connect_retries: must be at least 0, got -1",
            "client.local_connect_timeout: must be positive, got 0s");
  }

  @Test
  void tooManyProxies() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 257; i++) {
      sb.append(proxy("p" + i, 10_000 + i));
    }
    assertThat(clientProblems(client(sb.toString())))
        .containsExactly("proxies: at most 256 proxies allowed, got 257");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String toml =
        "[client]\nsever_addr = \"x\"\nserver_port = 0\nauth_key = \"short\"\n"
            + proxy("a", 8080)
            + proxy("a", 8080)
            + "local_port = 70000\n";
    assertThat(
            clientProblems(
                toml.replace("local_port = 3000\nlocal_port = 70000", "local_port = 70000")))
        .containsExactly(
            "client.sever_addr: unknown key (did you mean server_addr?)",
            "client.server_addr: missing required key",
            "client.server_port: must be between 1 and 65535, got 0",
            "client.auth_key: must be at least 16 characters (got 5)",
            "proxies[1].local_port: must be between 1 and 65535, got 70000",
            "proxies[1].name: duplicate name 'a' (also proxies[0].name)",
            "proxies[1].publish_port: binding 0.0.0.0:8080 overlaps proxies[0] 'a' (0.0.0.0:8080)");
  }

  @Test
  void softIssuesAreCorrectedAndLoggedAtWarn() throws Exception {
    Files.writeString(dir.resolve("ca.crt"), "ca");
    ClientConfig c =
        ConfigLoader.parseClient(
            client(
                "skip_verify = true\nca_cert_path = \"ca.crt\"\n"
                    + proxy("a", 8080)
                    + "bind_retry = { initial_delay = \"50ms\", max_delay = \"80ms\" }\n"),
            dir);
    assertThat(c.proxies().get(0).bindRetry())
        .isEqualTo(new BindRetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(100)));
    assertThat(logs.list)
        .allMatch(e -> e.getLevel() == Level.WARN)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "client.skip_verify: server certificate is not verified",
            "client.ca_cert_path: ignored because skip_verify is true",
            "proxies[0].bind_retry.initial_delay: 50ms is below the minimum of 100ms; using 100ms",
            "proxies[0].bind_retry.max_delay: 80ms is below the minimum of 100ms; using 100ms");
  }

  @Test
  void zeroProxiesIsAllowedWithAWarning() throws Exception {
    assertThat(ConfigLoader.parseClient(client(""), dir).proxies()).isEmpty();
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "proxies: no proxies configured; the client will connect but publish nothing");
  }

  @Test
  void nothingIsLoggedWhenTheConfigIsRejected() {
    clientProblems(
        client("skip_verify = true\nserver_port = 0\n").replace("server_port = 7000\n", ""));
    assertThat(logs.list).isEmpty();
  }

  @Test
  void keepAliveReconnectAndFingerprintRules() {
    assertThat(
            clientProblems(
                client(
                    "server_fingerprint = \"md5:abc\"\nkeepalive_interval = \"10s\"\n"
                        + "keepalive_timeout = \"5s\"\n[client.reconnect]\n"
                        + "initial_delay = \"5s\"\nmax_delay = \"1s\"\n")))
        .containsExactly(
            "client.server_fingerprint: must be 'sha256:' followed by 64 hex digits (colons"
                + " allowed), got 'md5:abc'",
            "client.reconnect.max_delay: must be at least initial_delay (5s), got 1s",
            "client.keepalive_timeout: must be longer than keepalive_interval (10s), got 5s");
  }
}
