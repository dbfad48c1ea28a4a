package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed feature end to end: one taken port does not take the others down, the cause reaches the
 * client, and the proxy recovers by itself when the port frees up.
 */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(60)
class BindFailureEndToEndTest {
  @TempDir Path dir;
  private TunnelFixture fixture;
  private EchoService echo;
  private ServerSocket squatter;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
    squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
    echo.close();
    squatter.close();
  }

  private ClientConfig threeProxies(TunnelServer server, boolean exitOnFailure, Integer adminPort)
      throws Exception {
    ClientConfig base =
        fixture.clientConfig(
            server.address().getPort(),
            "seed",
            List.of(
                proxy("proxy1", 0, echo.port()),
                proxy("proxy2", squatter.getLocalPort(), echo.port()),
                proxy("proxy3", 0, echo.port())));
    return base.toBuilder().admin("127.0.0.1", adminPort).exitOnBindFailure(exitOnFailure).build();
  }

  private static ProxyState state(TunnelClient client, String name) {
    return client.status().proxies().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static void assertEchoes(int port) throws Exception {
    try (Socket s = Streams.connect(port, 10_000)) {
      s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
      assertThat(Streams.readExactly(s.getInputStream(), 4))
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("ping");
    }
  }

  @Test
  void takenPortRetriesWhileOthersServeThenRecovers() throws Exception {
    var config =
        TunnelFixture.built(
            fixture
                .serverBuilder()
                .bindRetry(
                    new BindRetryPolicy(200, Duration.ofMillis(50), Duration.ofMillis(100))));
    try (LogCapture serverLog = new LogCapture("dev.tlstunnel.server.ProxyListener")) {
      TunnelServer server = fixture.startServer(config);
      TunnelClient client = fixture.startClient(threeProxies(server, false, 0));
      assertEchoes(publishedPort(server, "proxy1"));
      assertEchoes(publishedPort(server, "proxy3"));
      int taken = squatter.getLocalPort();

      await().until(() -> state(client, "proxy2").status() == ProxyStatus.UNHEALTHY);
      ProxyState p2 = state(client, "proxy2");
      assertThat(p2.error()).isEqualTo("Port " + taken + " is already in use by another process");
      assertThat(p2.retryAfter()).isPositive();
      assertThat(p2.nextRetryAt()).isNotNull();
      assertThat(p2.attempt()).isGreaterThanOrEqualTo(1);
      JsonNode api = adminStatus(client.adminPort());
      assertThat(api.path("session_state").asText()).isEqualTo("connected");
      JsonNode apiP2 = api.path("proxies").get(1);
      assertThat(apiP2.path("name").asText()).isEqualTo("proxy2");
      assertThat(apiP2.path("status").asText()).isIn("unhealthy");
      assertThat(apiP2.path("error").asText()).contains("already in use");

      squatter.close();
      await().until(() -> state(client, "proxy2").status() == ProxyStatus.HEALTHY);
      assertEchoes(taken);
      assertThat(serverLog.messages())
          .anyMatch(
              m ->
                  m.matches(
                      "Proxy 'proxy2' listening on 127\\.0\\.0\\.1:"
                          + taken
                          + " \\(after \\d+ retries\\)"));
    }
  }

  @Test
  void exhaustedRetriesEndBindFailedOthersKeepServingAndClientExitsWhenAsked() throws Exception {
    var config =
        TunnelFixture.built(
            fixture
                .serverBuilder()
                .bindRetry(new BindRetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(40))));
    TunnelServer server = fixture.startServer(config);
    TunnelClient keepsRunning = fixture.startClient(threeProxies(server, false, null));
    await().until(() -> state(keepsRunning, "proxy2").status() == ProxyStatus.BIND_FAILED);
    assertThat(state(keepsRunning, "proxy2").attempt()).isEqualTo(4);
    assertEchoes(publishedPort(server, "proxy1"));
    assertEchoes(publishedPort(server, "proxy3"));
    assertThat(keepsRunning.exit()).isNotDone();
    keepsRunning.close();

    await().until(() -> server.snapshot().sessions().isEmpty());
    TunnelClient failsFast = fixture.startClient(threeProxies(server, true, null));
    ClientExit exit = failsFast.exit().get();
    assertThat(exit.failure().kind()).isEqualTo(FailureKind.PROXY_FAILED);
    assertThat(exit.message()).contains("proxy2").contains("already in use");
  }

  @Test
  void addressNotOnThisHostGetsTheSystemCause() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .bindRetry(
                        new BindRetryPolicy(1, Duration.ofMillis(20), Duration.ofMillis(20)))));
    ProxyConfig foreign =
        TunnelFixture.built(
            ProxyConfig.builder("far").publish("192.0.2.1", 18080).local("127.0.0.1", echo.port()));
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(server.address().getPort(), "far", List.of(foreign)));
    await().until(() -> state(client, "far").status() == ProxyStatus.BIND_FAILED);
    assertThat(state(client, "far").error())
        .isEqualTo(
            "Failed to bind proxy listener on 192.0.2.1:18080: Cannot assign requested address");
  }

  @Test
  void sessionEndingDuringRetriesLeavesNothingBehind() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .bindRetry(
                        new BindRetryPolicy(-1, Duration.ofMillis(50), Duration.ofMillis(50)))));
    TunnelClient client = fixture.startClient(threeProxies(server, false, null));
    int p1 = publishedPort(server, "proxy1");
    await().until(() -> server.snapshot().pendingRetries() == 1);
    client.close();
    await()
        .until(
            () -> {
              ServerSnapshot s = server.snapshot();
              return s.sessions().isEmpty() && s.proxies().isEmpty();
            });
    // No listener is left (the published port binds again) and no timer fires any more: once the
    // taken port is free, nobody grabs it.
    int taken = squatter.getLocalPort();
    squatter.close();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(3))
        .until(() -> server.snapshot().pendingRetries() == 0);
    try (ServerSocket again = new ServerSocket(p1, 1, InetAddress.getLoopbackAddress());
        ServerSocket free = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(p1);
      assertThat(free.getLocalPort()).isEqualTo(taken);
    }
  }

  @Test
  void proxyHeldByAnotherClientIsRejectedOthersAccepted() throws Exception {
    TunnelServer server = fixture.startServer();
    int port = server.address().getPort();
    fixture.startClient(fixture.clientConfig(port, "alice", List.of(proxy("web", 0, echo.port()))));
    publishedPort(server, "web");
    TunnelClient bob =
        fixture.startClient(
            fixture.clientConfig(
                port, "bob", List.of(proxy("web", 0, echo.port()), proxy("api", 0, echo.port()))));
    await().until(() -> state(bob, "web").status() == ProxyStatus.REJECTED);
    assertThat(state(bob, "web").error()).contains("'web'").contains("'alice'");
    await().until(() -> state(bob, "api").status() == ProxyStatus.HEALTHY);
    assertEchoes(publishedPort(server, "api"));
    assertThat(server.snapshot().proxies())
        .filteredOn(p -> p.clientId().equals("bob"))
        .extracting(ServerSnapshot.ProxyInfo::name)
        .containsExactly("api");
  }

  private static JsonNode adminStatus(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }
}
