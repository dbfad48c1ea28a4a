package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.ConfigException;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.metrics.BoundedSeries;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminHttpClient;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Prometheus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's admin listener on a wildcard (non-loopback) address: credentials are required by the
 * config and enforced on every route but {@code /healthz}; and the bound on metric labels.
 */
@Timeout(60)
class AdminAccessEndToEndTest extends EchoTunnelTest {
  private static final String TOKEN = "admin-token-0123456789";

  @Test
  void aNonLoopbackAdminListenerNeedsCredentials() {
    assertThatThrownBy(
            () ->
                fixture
                    .serverBuilder()
                    .monitoring(MonitoringConfig.DEFAULT.withAdmin("0.0.0.0", 0))
                    .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.admin_token: required because server.admin_addr (0.0.0.0)");
  }

  @Test
  void tokenAndBasicCredentialsAreEnforced() throws Exception {
    TunnelServer server =
        fixture.startServer(
            fixture
                .serverBuilder()
                .monitoring(
                    MonitoringConfig.DEFAULT
                        .withAdmin("0.0.0.0", 0)
                        .withToken(TOKEN)
                        .withBasicAuth("ops", "pass word"))
                .build());
    int port = server.adminPort();
    for (String path : List.of("/api/server", "/api/proxies", "/metrics", "/", "/api/events")) {
      var refused = new AdminHttpClient(port).get(path);
      assertThat(refused.statusCode()).as(path).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"tls-tunnel\"");
      assertThat(new AdminHttpClient(port, "Bearer wrong-token-0123456789").get(path).statusCode())
          .as(path)
          .isEqualTo(401);
    }
    assertThat(new AdminHttpClient(port).get("/healthz").statusCode()).isEqualTo(200);
    assertThat(new AdminHttpClient(port, "Bearer " + TOKEN).get("/api/server").statusCode())
        .isEqualTo(200);
    String basic =
        "Basic "
            + Base64.getEncoder().encodeToString("ops:pass word".getBytes(StandardCharsets.UTF_8));
    assertThat(new AdminHttpClient(port, basic).get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void proxiesBeyondTheLabelLimitShareOneSeries() throws Exception {
    TunnelServer server =
        fixture.startServer(
            fixture
                .serverBuilder()
                .monitoring(MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0).withLabelLimit(2))
                .build());
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(),
            "c1",
            List.of(
                proxy("p1", 0, echo.port()),
                proxy("p2", 0, echo.port()),
                proxy("p3", 0, echo.port()),
                proxy("p4", 0, echo.port()))));
    AdminHttpClient admin = new AdminHttpClient(server.adminPort());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> admin.json("/api/server").at("/proxies_by_status/healthy").asInt() == 4);
    String text = admin.text("/metrics");
    Prometheus.lint(text);
    Set<String> labels = new TreeSet<>();
    for (Prometheus.Sample s : Prometheus.parse(text)) {
      if (s.name().equals("tlstunnel_proxy_bind_attempts_total")) {
        labels.add(s.labels().get("proxy"));
      }
    }
    assertThat(labels).hasSize(3).contains(BoundedSeries.OVERFLOW);
    assertThat(
            Prometheus.value(
                Prometheus.parse(text),
                "tlstunnel_proxy_bind_attempts_total",
                "proxy",
                BoundedSeries.OVERFLOW))
        .isEqualTo(2);
  }
}
