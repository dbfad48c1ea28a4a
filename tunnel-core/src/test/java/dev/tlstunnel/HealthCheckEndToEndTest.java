package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.HealthCheck;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.HealthService;
import dev.tlstunnel.testing.HealthService.Mode;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A health-checked proxy end to end: the client probes a real local HTTP service; when it fails its
 * check the proxy turns {@code local_unhealthy} (event, status), the server refuses its public
 * connections at once without unbinding, and both serve again when the service recovers, in the
 * same session.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthCheckEndToEndTest {
  @TempDir Path dir;
  private TunnelFixture fixture;
  private HealthService service;

  @BeforeEach
  void start() throws IOException {
    fixture = new TunnelFixture(dir);
    service = HealthService.http();
  }

  @AfterEach
  void stop() {
    fixture.close();
    service.close();
  }

  @Test
  void anUnhealthyServiceIsRefusedAtTheServerAndServedAgainOnRecovery() throws Exception {
    EventRecorder serverEvents = new EventRecorder();
    try (TunnelServer server =
        TunnelServer.builder(fixture.serverConfig()).listener(serverEvents).start()) {
      servesThenRefusesThenServes(server, serverEvents);
    }
  }

  private void servesThenRefusesThenServes(TunnelServer server, EventRecorder serverEvents)
      throws Exception {
    EventRecorder clientEvents = new EventRecorder();
    HealthCheck check =
        HealthCheck.of(HealthCheck.Type.HTTP)
            .withTiming(Duration.ofMillis(400), Duration.ofMillis(400))
            .withThresholds(3, 2)
            .withHttp("/health", List.of("200"), null);
    ProxyConfig proxy =
        built(TunnelFixture.proxyBuilder("web", 0, service.port()).healthCheck(check));
    try (TunnelClient client =
        TunnelClient.builder(
                fixture.clientConfig(server.address().getPort(), "checked", List.of(proxy)))
            .listener(clientEvents)
            .start()) {
      int port = client.proxy("web").whenHealthy().get(20, TimeUnit.SECONDS).getPort();
      assertThat(get(port)).endsWith("served");

      service.mode(Mode.FAIL);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.proxy("web").state().status() == ProxyStatus.LOCAL_UNHEALTHY);
      assertThat(client.proxy("web").state().error())
          .isEqualTo("3 checks in a row failed: HTTP 500 from /health");
      ServerEvent.ProxyHealthChanged down =
          serverEvents.awaitFirst(ServerEvent.ProxyHealthChanged.class, e -> !e.healthy());
      assertThat(down.clientId()).isEqualTo("checked");
      assertThat(down.reason()).isEqualTo("3 checks in a row failed: HTTP 500 from /health");
      assertThat(
              server.snapshot().proxies().stream()
                  .filter(p -> p.name().equals("web"))
                  .map(p -> p.status()))
          .containsExactly(ProxyStatus.LOCAL_UNHEALTHY);

      int served = service.otherRequests();
      long start = System.nanoTime();
      assertThat(get(port)).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(service.otherRequests()).isEqualTo(served);
      // still bound: nothing was unregistered or unbound
      assertThat(serverEvents.all(ServerEvent.ProxyBound.class)).hasSize(1);

      service.mode(Mode.OK);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.proxy("web").state().status() == ProxyStatus.HEALTHY);
      serverEvents.awaitFirst(ServerEvent.ProxyHealthChanged.class, e -> e.healthy());
      assertThat(get(port)).endsWith("served");
      assertThat(serverEvents.all(ServerEvent.ClientConnected.class)).hasSize(1);
      assertThat(
              clientEvents.all(ClientEvent.ProxyStatusChanged.class).stream()
                  .map(e -> e.current().status()))
          .containsSubsequence(
              ProxyStatus.HEALTHY, ProxyStatus.LOCAL_UNHEALTHY, ProxyStatus.HEALTHY);
    }
  }

  @Test
  void aProxyUnhealthyWhenItsSessionStartsIsRefusedFromTheStart() throws Exception {
    TunnelServer server = fixture.startServer();
    service.mode(Mode.FAIL);
    HealthCheck check =
        HealthCheck.of(HealthCheck.Type.HTTP)
            .withTiming(Duration.ofMillis(400), Duration.ofMillis(400))
            .withThresholds(1, 1)
            .withHttp("/health", null, null);
    ProxyConfig proxy =
        built(TunnelFixture.proxyBuilder("web", 0, service.port()).healthCheck(check));
    TunnelClient client =
        fixture.startClient(
            TunnelFixture.fast(
                fixture.clientConfig(server.address().getPort(), "late", List.of(proxy))));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.proxy("web").state().status() == ProxyStatus.LOCAL_UNHEALTHY);
    int port = TunnelFixture.publishedPort(server, "web");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.snapshot().proxies().stream()
                    .anyMatch(p -> p.status() == ProxyStatus.LOCAL_UNHEALTHY));
    assertThat(get(port)).isEmpty();
    assertThat(service.otherRequests()).isZero();
  }

  /** {@code GET /} through {@code port}: the response, or "" when the connection was refused. */
  private static String get(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.0\r\nHost: t\r\n\r\n".getBytes(US_ASCII));
      return new String(s.getInputStream().readAllBytes(), US_ASCII);
    } catch (SocketException reset) {
      return "";
    }
  }
}
