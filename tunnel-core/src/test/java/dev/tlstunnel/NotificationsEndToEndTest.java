package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.ServerReloadEndToEndTest.ReloadResultText;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.config.NotifyConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminHttpClient;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Prometheus;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.testing.WebhookReceiver;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault notifications received by a real HTTP server on loopback (and a real command): signed
 * bodies, retries after a 500, and a receiver that hangs filling only its bounded queue while the
 * tunnel keeps serving.
 */
@Timeout(90)
class NotificationsEndToEndTest extends EchoTunnelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "webhook-secret";

  @Test
  void signedWebhooksAreRetriedAfterA500() throws Exception {
    ServerSocket blocker = blocker();
    try (WebhookReceiver hook = new WebhookReceiver()) {
      AtomicInteger n = new AtomicInteger();
      hook.answering(() -> n.getAndIncrement() == 0 ? 500 : 200);
      NotifyConfig target =
          new NotifyConfig(
              hook.url(),
              List.of(),
              Set.of("proxy_unhealthy", "proxy_recovered"),
              SECRET,
              Duration.ofSeconds(5),
              3,
              Duration.ofMillis(100),
              10);
      TunnelServer server =
          server(target, new BindRetryPolicy(10, Duration.ofMillis(300), Duration.ofMillis(300)));
      fixture.startClient(
          fixture.clientConfig(
              server.address().getPort(),
              "c1",
              List.of(proxy("web", blocker.getLocalPort(), echo.port()))));

      await().atMost(Duration.ofSeconds(10)).until(() -> hook.requests().size() >= 2);
      blocker.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> events(hook).contains("proxy_recovered"));

      List<WebhookReceiver.Request> got = hook.requests();
      // The first delivery got a 500 and was retried with the same body.
      assertThat(got.get(0).body()).isEqualTo(got.get(1).body());
      assertThat(events(hook))
          .containsExactly("proxy_unhealthy", "proxy_unhealthy", "proxy_recovered");
      for (WebhookReceiver.Request r : got) {
        assertThat(r.signature()).isEqualTo("sha256=" + hmac(r.body()));
        assertThat(r.contentType()).isEqualTo("application/json");
      }
      JsonNode unhealthy = JSON.readTree(got.get(0).body());
      assertThat(unhealthy.get("event").asText()).isEqualTo("proxy_unhealthy");
      assertThat(unhealthy.get("source").asText()).isEqualTo("server");
      assertThat(unhealthy.get("client_id").asText()).isEqualTo("c1");
      assertThat(unhealthy.get("proxy").asText()).isEqualTo("web");
      assertThat(unhealthy.get("error").asText())
          .isEqualTo("Port " + blocker.getLocalPort() + " is already in use by another process");
      assertThat(unhealthy.get("attempt").asInt()).isEqualTo(1);
      JsonNode recovered = JSON.readTree(got.get(2).body());
      assertThat(recovered.get("address").asText()).endsWith(":" + blocker.getLocalPort());

      List<Prometheus.Sample> m =
          Prometheus.parse(new AdminHttpClient(server.adminPort()).text("/metrics"));
      assertThat(Prometheus.value(m, "tlstunnel_notify_deliveries_total", "result", "delivered"))
          .isEqualTo(2);
      assertThat(
              Prometheus.value(m, "tlstunnel_notify_attempt_failures_total", "cause", "http_500"))
          .isEqualTo(1);
    }
  }

  @Test
  void aHangingReceiverFillsItsQueueAndNeverSlowsTheTunnel() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver()) {
      hook.hang();
      List<ServerSocket> blockers = new ArrayList<>();
      List<ProxyConfig> proxies = new ArrayList<>();
      try {
        proxies.add(proxy("echo", 0, echo.port()));
        for (int i = 0; i < 6; i++) {
          ServerSocket b = blocker();
          blockers.add(b);
          proxies.add(proxy("blocked" + i, b.getLocalPort(), echo.port()));
        }
        NotifyConfig target =
            new NotifyConfig(
                hook.url(),
                List.of(),
                Set.of(),
                null,
                Duration.ofSeconds(30),
                0,
                Duration.ofSeconds(1),
                2);
        TunnelServer server =
            server(target, new BindRetryPolicy(100, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        var client =
            fixture.startClient(fixture.clientConfig(server.address().getPort(), "c1", proxies));
        int port = client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
        AdminHttpClient admin = new AdminHttpClient(server.adminPort());
        // client_connected and six proxy_unhealthy: one is held by the receiver, two wait, the
        // rest are dropped.
        await().atMost(Duration.ofSeconds(10)).until(() -> dropped(admin) == 4);
        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          assertThat(Streams.echoes(port)).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        List<Prometheus.Sample> m = Prometheus.parse(admin.text("/metrics"));
        assertThat(Prometheus.value(m, "tlstunnel_notify_queued")).isEqualTo(2);
        assertThat(hook.requests()).hasSize(1);
      } finally {
        for (ServerSocket b : blockers) {
          b.close();
        }
      }
    }
  }

  @Test
  void execTargetsGetTheEventOnStandardInput() throws Exception {
    Path out = dir.resolve("events.jsonl");
    NotifyConfig target =
        new NotifyConfig(
            null,
            List.of("/bin/sh", "-c", "cat >> '" + out + "'; echo >> '" + out + "'"),
            Set.of("client_connected"),
            null,
            Duration.ofSeconds(5),
            0,
            Duration.ofMillis(100),
            10);
    TunnelServer server = server(target, null);
    fixture.startClient(fixture.clientConfig(server.address().getPort(), "c7", List.of()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(out) && Files.readString(out).contains("\n"));
    JsonNode event = JSON.readTree(Files.readString(out).strip());
    assertThat(event.get("event").asText()).isEqualTo("client_connected");
    assertThat(event.get("client_id").asText()).isEqualTo("c7");
    assertThat(event.get("client_version").asText()).isEqualTo(Version.VERSION);
  }

  @Test
  void aVisitorsRefusalsAreNotifiedOncePerReason() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver()) {
      TunnelServer server = fixture.startServer();
      NotifyConfig target =
          new NotifyConfig(
              hook.url(),
              List.of(),
              Set.of("visitor_refused"),
              null,
              Duration.ofSeconds(5),
              0,
              Duration.ofMillis(100),
              10);
      var client =
          fixture.startClient(
              fixture
                  .clientBuilder(server.address().getPort(), "lab", List.of())
                  .addVisitor(VisitorConfig.of("db", "office/db", 0, "visitor-secret-0123456789"))
                  .monitoring(MonitoringConfig.DEFAULT.withNotify(List.of(target)))
                  .admin("127.0.0.1", 0)
                  .build());
      client.connected().get(10, TimeUnit.SECONDS);
      String local =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> client.status().visitors().get(0).local(), java.util.Objects::nonNull);
      int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
      for (int i = 0; i < 3; i++) {
        try (var s = Streams.connect(port, 10_000)) {
          assertThat(Streams.closedByPeer(s)).isTrue();
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !hook.requests().isEmpty());
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(3))
          .until(() -> hook.requests().size() == 1);
      JsonNode refused = JSON.readTree(hook.requests().get(0).body());
      assertThat(refused.get("event").asText()).isEqualTo("visitor_refused");
      assertThat(refused.get("source").asText()).isEqualTo("client");
      assertThat(refused.get("client_id").asText()).isEqualTo("lab");
      assertThat(refused.get("visitor").asText()).isEqualTo("db");
      assertThat(refused.get("target").asText()).isEqualTo("office/db");
      assertThat(refused.get("reason").asText()).isEqualTo("target_offline");
      assertThat(refused.get("error").asText()).isNotEmpty();
      List<Prometheus.Sample> m =
          Prometheus.parse(new AdminHttpClient(client.adminPort()).text("/metrics"));
      assertThat(Prometheus.value(m, "tlstunnel_visitor_connections_total", "visitor", "db"))
          .isEqualTo(3);
      assertThat(
              Prometheus.value(
                  m,
                  "tlstunnel_visitor_state",
                  "visitor",
                  "db",
                  "target",
                  "office/db",
                  "state",
                  "healthy"))
          .isEqualTo(1);
    }
  }

  @Test
  void notifyTargetsAReloadGivesGetTheNoticesFromThenOn() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver()) {
      ServerConfig first = fixture.serverConfig();
      TunnelServer server = fixture.startServer(first);
      NotifyConfig target =
          new NotifyConfig(
              hook.url(),
              List.of(),
              Set.of("client_connected"),
              SECRET,
              Duration.ofSeconds(5),
              3,
              Duration.ofMillis(100),
              10);
      ReloadResult result =
          server.reload(
              TunnelFixture.built(
                  first.toBuilder().monitoring(first.monitoring().withNotify(List.of(target)))));
      assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
      assertThat(ReloadResultText.lines(result))
          .containsExactly("server.notify: update, changed (for notices from now on) [applied]");

      fixture.startClient(
          fixture.clientConfig(
              server.address().getPort(), "c1", List.of(proxy("web", 0, echo.port()))));

      await().atMost(Duration.ofSeconds(10)).until(() -> events(hook).contains("client_connected"));
      assertThat(hook.requests().get(0).signature())
          .isEqualTo("sha256=" + hmac(hook.requests().get(0).body()));
    }
  }

  private TunnelServer server(NotifyConfig target, BindRetryPolicy retry) throws Exception {
    var b =
        fixture
            .serverBuilder()
            .monitoring(
                MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0).withNotify(List.of(target)));
    if (retry != null) {
      b.bindRetry(retry);
    }
    return fixture.startServer(b.build());
  }

  private static long dropped(AdminHttpClient admin) throws Exception {
    return (long)
        Prometheus.value(
            Prometheus.parse(admin.text("/metrics")),
            "tlstunnel_notify_deliveries_total",
            "result",
            "dropped");
  }

  private static List<String> events(WebhookReceiver hook) {
    return hook.requests().stream().map(WebhookReceiver.Request::event).toList();
  }

  private static ServerSocket blocker() throws Exception {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  private static String hmac(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }
}
