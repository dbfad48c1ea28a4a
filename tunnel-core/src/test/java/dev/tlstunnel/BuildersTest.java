package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.TestPki;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The builders run the validator: every bad field fails {@code build()} naming its key, and a
 * facade that cannot start leaves nothing running.
 */
@Timeout(30)
class BuildersTest {
  private static final String KEY = TunnelFixture.KEY;
  private static final Duration S = Duration.ofSeconds(1);

  @TempDir static Path dir;
  private static TestPki.CertFiles pki;

  @BeforeEach
  void pki() throws Exception {
    if (pki == null) {
      pki = TestPki.selfSigned(dir, "localhost");
    }
  }

  private static ServerConfig.Builder server() {
    return ServerConfig.builder()
        .bind("127.0.0.1", 0)
        .certificate(pki.cert(), pki.key())
        .authKey(KEY);
  }

  private static ClientConfig.Builder client() {
    return ClientConfig.builder().server("127.0.0.1", 7000).authKey(KEY).clientId("c1");
  }

  static Stream<Arguments> badServerFields() {
    return Stream.of(
        bad(b -> b.bindPort(-1), "server.bind_port: must be between 0 and 65535, got -1"),
        bad(b -> b.bind(" ", 7000), "server.bind_addr: must not be empty"),
        bad(b -> b.authKey("short"), "server.auth_key: must be at least 16 characters (got 5)"),
        bad(b -> b.authKey(null), "server.auth_key: missing required key"),
        bad(
            b -> b.certificate(dir.resolve("nope.crt"), pki.key()),
            "server.cert_path: file not found: " + dir.resolve("nope.crt")),
        bad(
            b -> b.handshakeTimeout(Duration.ofSeconds(-1)),
            "server.handshake_timeout: must be positive, got -1s"),
        bad(
            b -> b.bindRetry(new BindRetryPolicy(-2, S, S)),
            "server.bind_retry.max_retries: must be -1 (retry forever) or more, got -2"),
        bad(
            b -> b.bindRetry(new BindRetryPolicy(3, Duration.ofSeconds(5), S)),
            "server.bind_retry.max_delay: must be at least initial_delay (5s), got 1s"),
        bad(
            b -> b.keepAlive(new KeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(5))),
            "server.keepalive_timeout: must be longer than keepalive_interval (10s), got 5s"),
        bad(
            b -> b.shutdownGrace(Duration.ofSeconds(-3)),
            "server.shutdown_grace: must be 0s or more, got -3s"));
  }

  private static Arguments bad(UnaryOperator<ServerConfig.Builder> change, String problem) {
    return Arguments.of(change, problem);
  }

  @ParameterizedTest
  @MethodSource("badServerFields")
  void eachBadServerFieldIsNamed(UnaryOperator<ServerConfig.Builder> change, String problem) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> change.apply(server()).build());
    assertThat(e.problems()).containsExactly(problem);
  }

  @Test
  void limitsNameTheirServerKeys() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> Limits.builder().maxStreamsPerSession(1).maxReceiveWindow(1024).build());
    assertThat(e.problems())
        .containsExactly(
            "server.limits.max_streams_per_session: must be between 2 and 16384, got 1",
            "server.limits.max_receive_window: must be between 262144 and 16777216, got 1024");
    assertThat(e.details().get(0).key()).isEqualTo("server.limits.max_streams_per_session");
  }

  @Test
  void clientProblemsAreCollectedTogetherWithTheirKeys() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ClientConfig.builder()
                    .server("tunnel.example.com", 0)
                    .clientId("not an id")
                    .serverFingerprint("sha256:abc")
                    .admin("127.0.0.1", 70000)
                    .reconnect(new ReconnectPolicy(true, Duration.ZERO, S, false))
                    .addProxy(ProxyConfig.builder("web").publishPort(8080).localPort(3000))
                    .addProxy(ProxyConfig.builder("web").publishPort(70000).localPort(3001))
                    .build());
    assertThat(e.problems())
        .containsExactly(
            "client.server_port: must be between 1 and 65535, got 0",
            "client.auth_key: missing required key",
            "client.client_id: must match [A-Za-z0-9._-]{1,64}, got 'not an id'",
            "client.admin_port: must be between 0 and 65535, got 70000",
            "client.server_fingerprint: must be 'sha256:' followed by 64 hex digits (colons"
                + " allowed), got 'sha256:abc'",
            "client.reconnect.initial_delay: must be positive, got 0s",
            "proxies[1].publish_port: must be between 0 and 65535, got 70000",
            "proxies[1].name: duplicate name 'web' (also proxies[0].name)");
  }

  @Test
  void aProxyBuiltAloneIsNamedByItsName() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () -> ProxyConfig.builder("web").publish("", 8080).localPort(0).build());
    assertThat(e.problems())
        .containsExactly(
            "proxies['web'].publish_addr: must not be empty",
            "proxies['web'].local_port: must be between 1 and 65535, got 0");
  }

  @Test
  void toBuilderValidatesTheChangedCopyAgain() throws Exception {
    ClientConfig good = client().build();
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> good.toBuilder().authKey("0123456789").build());
    assertThat(e.problems())
        .containsExactly("client.auth_key: must be at least 16 characters (got 10)");
    assertThat(good.toBuilder().clientId("c2").build().clientId()).isEqualTo("c2");
  }

  @Test
  void aServerWithoutCertificateOrContextDoesNotStart() throws Exception {
    ServerConfig noCertificate = ServerConfig.builder().bind("127.0.0.1", 0).authKey(KEY).build();
    TunnelStartException e =
        catchThrowableOfType(
            TunnelStartException.class, () -> TunnelServer.builder(noCertificate).start());
    assertThat(e.kind()).isEqualTo(FailureKind.TLS_SETUP);
    assertThat(e).hasMessageContaining("server.cert_path and server.key_path");
    assertNoThreadsLeft("tunnel-server");
  }

  @Test
  void aServerWhoseTunnelPortIsTakenFailsWithTheKindAndLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ServerConfig config = server().bindPort(taken.getLocalPort()).build();
      TunnelStartException e =
          catchThrowableOfType(TunnelStartException.class, () -> TunnelServer.start(config));
      assertThat(e.kind()).isEqualTo(FailureKind.PORT_IN_USE);
      assertThat(e)
          .hasMessage(
              "cannot listen on tunnel port 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": Port "
                  + taken.getLocalPort()
                  + " is already in use by another process");
    }
    assertNoThreadsLeft("tunnel-server");
  }

  @Test
  void aClientWhoseAdminPortIsTakenFailsWithTheKindAndLeavesNothingRunning() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ClientConfig config = client().admin("127.0.0.1", taken.getLocalPort()).build();
      TunnelStartException e =
          catchThrowableOfType(TunnelStartException.class, () -> TunnelClient.start(config));
      assertThat(e.kind()).isEqualTo(FailureKind.PORT_IN_USE);
      assertThat(e).hasMessageStartingWith("cannot start admin API on 127.0.0.1:");
    }
    assertNoThreadsLeft("tunnel-client");
  }

  private static void assertNoThreadsLeft(String prefix) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith(prefix + "-")));
  }
}
