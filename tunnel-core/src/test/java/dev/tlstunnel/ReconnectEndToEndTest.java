package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminApi;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client stays connected: it comes back after the server restarts or the path goes dead. */
@Timeout(60)
class ReconnectEndToEndTest extends EchoTunnelTest {

  private ClientConfig client(int serverPort, int proxyPort) {
    ClientConfig base =
        fixture.clientConfig(serverPort, "c1", List.of(proxy("echo", proxyPort, echo.port())));
    return TunnelFixture.built(fast(base.toBuilder()).admin("127.0.0.1", 0));
  }

  @Test
  void serverRestartedOnTheSamePortClientComesBackAndProxiesServeAgain() throws Exception {
    int tunnelPort = freePort();
    int proxyPort = freePort();
    TunnelServer first =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().bindPort(tunnelPort)));
    TunnelClient client = fixture.startClient(client(tunnelPort, proxyPort));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
    assertThat(AdminApi.status(client.adminPort()).path("session_state").asText())
        .isEqualTo("connected");

    first.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> AdminApi.status(client.adminPort()).path("reconnect_attempt").asInt() >= 2);
    JsonNode down = AdminApi.status(client.adminPort());
    assertThat(down.path("session_state").asText()).isIn("disconnected", "connecting");
    assertThat(down.path("last_error").asText()).contains("127.0.0.1:" + tunnelPort);
    assertThat(down.path("proxies").get(0).path("status").asText()).isEqualTo("pending");
    JsonNode waiting =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () -> AdminApi.status(client.adminPort()),
                s -> s.path("session_state").asText().equals("disconnected"));
    assertThat(Instant.parse(waiting.path("next_attempt_at").asText()))
        .isAfter(Instant.now().minusSeconds(1));

    long restarted = System.nanoTime();
    fixture.startServer(TunnelFixture.built(fixture.serverBuilder().bindPort(tunnelPort)));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
    long backMillis = (System.nanoTime() - restarted) / 1_000_000;
    JsonNode up = AdminApi.status(client.adminPort());
    assertThat(up.path("session_state").asText()).isEqualTo("connected");
    assertThat(up.path("last_error").isNull()).isTrue();
    assertThat(up.path("next_attempt_at").isNull()).isTrue();
    assertThat(client.exit()).isNotDone();
    System.out.printf(
        "reconnect: proxy served again %d ms after the server restarted%n", backMillis);
    assertThat(backMillis).isLessThan(3_000);
  }

  @Test
  void unreachableAtStartRetriesUntilTheServerAppears() throws Exception {
    int tunnelPort = freePort();
    int proxyPort = freePort();
    TunnelClient client = fixture.startClient(client(tunnelPort, proxyPort));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                client.status().reconnectAttempt() != null
                    && client.status().reconnectAttempt() >= 3);
    assertThat(client.status().lastError())
        .startsWith("cannot reach server 127.0.0.1:" + tunnelPort);
    fixture.startServer(TunnelFixture.built(fixture.serverBuilder().bindPort(tunnelPort)));
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
    assertThat(client.status().sessionState()).isEqualTo(SessionState.CONNECTED);
  }

  @Test
  void reconnectOffEndsTheClientWithConnectionFailed() throws Exception {
    ClientConfig config =
        client(freePort(), 0).toBuilder()
            .reconnect(
                new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(30), false))
            .build();
    TunnelClient client = fixture.startClient(config);
    assertThat(client.exit().get().failure().kind()).isEqualTo(FailureKind.UNREACHABLE);
    assertThat(client.status().sessionState()).isEqualTo(SessionState.DISCONNECTED);
  }

  @Test
  void halfOpenPathIsDetectedByBothSidesAndTheClientComesBackFresh() throws Exception {
    KeepAlive keepAlive = new KeepAlive(Duration.ofMillis(100), Duration.ofMillis(600));
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().keepAlive(keepAlive)));
    int proxyPort = freePort();
    try (TcpForwarder path = new TcpForwarder(server.address().getPort());
        LogCapture keepAliveLog =
            new LogCapture(Class.forName("dev.tlstunnel.relay.DeadPeerHandler"));
        LogCapture all = LogCapture.all()) {
      ClientConfig config =
          client(path.port(), proxyPort).toBuilder()
              .keepAlive(keepAlive)
              .reconnect(
                  new ReconnectPolicy(true, Duration.ofSeconds(1), Duration.ofSeconds(2), false))
              .build();
      TunnelClient client = fixture.startClient(config);
      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
      String firstPath = server.snapshot().sessions().get(0).remoteAddress();

      long stalled = System.nanoTime();
      path.stall();
      long[] detected = new long[2];
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                long now = System.nanoTime();
                if (detected[0] == 0 && client.status().sessionState() != SessionState.CONNECTED) {
                  detected[0] = now;
                }
                if (detected[1] == 0 && !hasSession(server.snapshot(), firstPath)) {
                  detected[1] = now;
                }
                return detected[0] != 0 && detected[1] != 0;
              });
      long clientMillis = (detected[0] - stalled) / 1_000_000;
      long serverMillis = (detected[1] - stalled) / 1_000_000;
      System.out.printf(
          "half-open: client detected after %d ms, server after %d ms (timeout 600 ms)%n",
          clientMillis, serverMillis);
      assertThat(clientMillis).isBetween(500L, 1_500L);
      assertThat(serverMillis).isBetween(500L, 1_500L);
      assertThat(keepAliveLog.messages())
          .anySatisfy(m -> assertThat(m).startsWith("[client=c1] server 127.0.0.1:"))
          .anySatisfy(m -> assertThat(m).startsWith("[client=c1] tunnel from "))
          .allSatisfy(m -> assertThat(m).contains("keepalive timeout 600 ms"));
      // One WARN per side: the server's, and the client's reconnect line that carries the cause.
      assertThat(all.warnings("keepalive timeout 600 ms"))
          .hasSize(2)
          .anySatisfy(m -> assertThat(m).startsWith("[client=c1] tunnel from "))
          .anySatisfy(
              m ->
                  assertThat(m)
                      .startsWith("connection to server 127.0.0.1:")
                      .contains(": no data from the server for ")
                      .contains("; reconnecting in ")
                      .endsWith("s (attempt 1)"));
      assertThat(client.status().lastError()).contains("keepalive timeout 600 ms");

      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
      assertThat(path.accepted()).isEqualTo(2);
      assertThat(all.messages())
          .contains("Reconnected to server 127.0.0.1:" + path.port() + " after 1 attempt")
          .anySatisfy(m -> assertThat(m).matches("Client 'c1' disconnected; 1 proxy released"));
      assertThat(client.status().sessionState()).isEqualTo(SessionState.CONNECTED);
      assertThat(server.snapshot().sessions()).hasSize(1);
    }
  }

  private static boolean hasSession(ServerSnapshot snapshot, String remote) {
    return snapshot.sessions().stream().anyMatch(s -> s.remoteAddress().equals(remote));
  }
}
