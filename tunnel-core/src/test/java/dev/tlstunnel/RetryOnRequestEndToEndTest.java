package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ProxyRetry;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code retry_proxy}: a proxy that gave up binding starts its schedule again on request. */
@Timeout(60)
class RetryOnRequestEndToEndTest extends EchoTunnelTest {

  @Test
  void aBindFailedProxyBindsOnceRetriedAfterItsPortFreedUp() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .bindRetry(
                        new BindRetryPolicy(1, Duration.ofMillis(50), Duration.ofMillis(50)))));
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    int port = squatter.getLocalPort();
    try (LogCapture serverLog = new LogCapture("dev.tlstunnel.server.ProxyListener")) {
      TunnelClient client =
          fixture.startClient(
              fixture.clientConfig(
                  server.address().getPort(),
                  "c1",
                  List.of(proxy("db", port, echo.port()), proxy("web", 0, echo.port()))));
      await().until(() -> state(client, "db").status() == ProxyStatus.BIND_FAILED);
      await().until(() -> state(client, "web").status() == ProxyStatus.HEALTHY);

      ProxyRetry healthy = client.retryProxy("web").get(10, TimeUnit.SECONDS);
      assertThat(healthy)
          .isEqualTo(
              new ProxyRetry(
                  "web",
                  ProxyRetry.Outcome.REFUSED,
                  "proxy 'web' is healthy (listening): there is nothing to retry"));
      assertThat(client.retryProxy("nope").get(10, TimeUnit.SECONDS).outcome())
          .isEqualTo(ProxyRetry.Outcome.UNKNOWN_PROXY);

      squatter.close();
      ProxyRetry restarted = client.retryProxy("db").get(10, TimeUnit.SECONDS);
      assertThat(restarted.outcome()).isEqualTo(ProxyRetry.Outcome.RESTARTED);
      await().until(() -> state(client, "db").status() == ProxyStatus.HEALTHY);
      assertThat(Streams.echoes(publishedPort(server, "db"))).isTrue();
      assertThat(serverLog.messages())
          .containsSubsequence(
              "Proxy 'db' bind failed after 1 retry: Port "
                  + port
                  + " is already in use by another process",
              "Proxy 'db' bind retries started again at the client's request",
              "Proxy 'db' listening on 127.0.0.1:" + port);
    } finally {
      squatter.close();
    }
  }

  @Test
  void aClientWithoutSessionSaysSo() throws Exception {
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(
                TunnelFixture.freePort(), "c1", List.of(proxy("db", 0, echo.port()))));
    ProxyRetry answer = client.retryProxy("db").get(10, TimeUnit.SECONDS);
    assertThat(answer.outcome()).isEqualTo(ProxyRetry.Outcome.NOT_CONNECTED);
  }

  private static ProxyState state(TunnelClient client, String name) {
    return client.status().proxies().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
