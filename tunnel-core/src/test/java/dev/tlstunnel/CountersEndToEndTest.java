package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminHttpClient;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Prometheus;
import dev.tlstunnel.testing.Streams;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Known traffic through a real tunnel, then the counters on both sides: the JSON API and {@code
 * /metrics} (linted by promtool, parsed by the Prometheus Python client) agree to the byte.
 */
@Timeout(90)
class CountersEndToEndTest extends EchoTunnelTest {
  private static final int CONNECTIONS = 3;
  private static final int BYTES = 100_000;

  @Test
  void countersAreExactAfterKnownTraffic() throws Exception {
    TunnelServer server =
        fixture.startServer(
            fixture
                .serverBuilder()
                .monitoring(MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0))
                .build());
    TunnelClient client =
        fixture.startClient(
            fixture
                .clientBuilder(
                    server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port())))
                .admin("127.0.0.1", 0)
                .build());
    int port = client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
    for (int i = 0; i < CONNECTIONS; i++) {
      try (Socket s = Streams.connect(port, 10_000)) {
        assertThat(Streams.echoesExactly(s, i, BYTES)).isTrue();
      }
    }
    AdminHttpClient serverApi = new AdminHttpClient(server.adminPort());
    AdminHttpClient clientApi = new AdminHttpClient(client.adminPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> serverApi.json("/api/proxies/echo").at("/stats/connections_closed").asLong(),
            n -> n == CONNECTIONS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> clientApi.json("/api/status").at("/proxies/0/stats/connections_closed").asLong(),
            n -> n == CONNECTIONS);

    JsonNode proxy = serverApi.json("/api/proxies/echo");
    assertThat(proxy.get("status").asText()).isEqualTo("healthy");
    assertThat(proxy.get("client_id").asText()).isEqualTo("c1");
    assertThat(proxy.get("bound_port").asInt()).isEqualTo(port);
    assertThat(proxy.get("bind_attempts").asLong()).isEqualTo(1);
    assertExact(proxy.get("stats"));
    JsonNode c1 = serverApi.json("/api/clients/c1");
    assertThat(c1.get("client_version").asText()).isEqualTo(Version.VERSION);
    assertThat(c1.get("transport").asText()).isEqualTo("tls");
    assertThat(c1.get("connected_since").asText()).isNotEmpty();
    assertExact(c1.get("stats"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverApi.json("/api/clients/c1").get("rtt_seconds").asDouble() > 0);
    assertThat(serverApi.json("/api/server").at("/stats/bytes_in").asLong())
        .isEqualTo((long) CONNECTIONS * BYTES);
    assertThat(serverApi.get("/api/proxies/nope").statusCode()).isEqualTo(404);
    assertThat(serverApi.get("/api/clients/nope").statusCode()).isEqualTo(404);

    JsonNode status = clientApi.json("/api/status");
    assertExact(status.at("/proxies/0/stats"));
    assertExact(status.at("/session/stats"));
    assertThat(status.at("/session/connects_total").asLong()).isEqualTo(1);

    String serverText = serverApi.text("/metrics");
    Prometheus.lint(serverText);
    List<Prometheus.Sample> s = Prometheus.parse(serverText);
    String[] echoLabels = {"proxy", "echo", "client", "c1"};
    assertThat(Prometheus.value(s, "tlstunnel_proxy_connections_total", echoLabels))
        .isEqualTo(CONNECTIONS);
    assertThat(Prometheus.value(s, "tlstunnel_proxy_received_bytes_total", echoLabels))
        .isEqualTo((double) CONNECTIONS * BYTES);
    assertThat(Prometheus.value(s, "tlstunnel_proxy_sent_bytes_total", echoLabels))
        .isEqualTo((double) CONNECTIONS * BYTES);
    assertThat(Prometheus.value(s, "tlstunnel_proxy_connections_active", echoLabels)).isZero();
    assertThat(Prometheus.value(s, "tlstunnel_proxy_connection_duration_seconds_count", echoLabels))
        .isEqualTo(CONNECTIONS);
    assertThat(Prometheus.value(s, "tlstunnel_proxy_bind_attempts_total", echoLabels)).isEqualTo(1);
    assertThat(Prometheus.value(s, "tlstunnel_proxy_state", "proxy", "echo", "state", "healthy"))
        .isEqualTo(1);
    assertThat(Prometheus.value(s, "tlstunnel_client_connected", "client", "c1")).isEqualTo(1);
    assertNamesAndUnits(s);

    String clientText = clientApi.text("/metrics");
    Prometheus.lint(clientText);
    List<Prometheus.Sample> c = Prometheus.parse(clientText);
    assertThat(Prometheus.value(c, "tlstunnel_proxy_received_bytes_total", echoLabels))
        .isEqualTo((double) CONNECTIONS * BYTES);
    assertThat(Prometheus.value(c, "tlstunnel_proxy_sent_bytes_total", echoLabels))
        .isEqualTo((double) CONNECTIONS * BYTES);
    assertThat(Prometheus.value(c, "tlstunnel_proxy_local_dial_duration_seconds_count", echoLabels))
        .isEqualTo(CONNECTIONS);
    assertThat(Prometheus.value(c, "tlstunnel_client_sessions_total", "client", "c1")).isEqualTo(1);
    assertNamesAndUnits(c);
  }

  /** The prefix, {@code _total} on counters, base units named by suffix. */
  private static void assertNamesAndUnits(List<Prometheus.Sample> samples) {
    assertThat(samples).isNotEmpty();
    for (Prometheus.Sample x : samples) {
      assertThat(x.name()).startsWith("tlstunnel_");
      if (x.type().equals("counter")) {
        assertThat(x.name()).as(x.family()).endsWith("_total");
      }
      if (x.family().contains("bytes")) {
        assertThat(x.family()).endsWith("_bytes");
      }
      if (x.type().equals("histogram")
          || x.family().contains("time")
          || x.family().contains("rtt")) {
        assertThat(x.family()).endsWith("_seconds");
      }
    }
  }

  private static void assertExact(JsonNode stats) {
    assertThat(stats.get("connections_total").asLong()).isEqualTo(CONNECTIONS);
    assertThat(stats.get("connections_active").asLong()).isZero();
    assertThat(stats.get("connections_failed_total").asLong()).isZero();
    assertThat(stats.get("bytes_in").asLong()).isEqualTo((long) CONNECTIONS * BYTES);
    assertThat(stats.get("bytes_out").asLong()).isEqualTo((long) CONNECTIONS * BYTES);
  }
}
