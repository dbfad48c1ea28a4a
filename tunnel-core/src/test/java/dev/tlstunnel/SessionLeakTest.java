package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fifty connect/kill cycles leave the server holding only the live session: every other session,
 * listener, timer, stream and connection is gone, counted through the server's own snapshot.
 */
@Timeout(120)
class SessionLeakTest extends EchoTunnelTest {
  private static final int CYCLES = 50;

  @Test
  void fiftyConnectKillCyclesLeaveOnlyTheLiveSession() throws Exception {
    KeepAlive keepAlive = new KeepAlive(Duration.ofMillis(200), Duration.ofSeconds(30));
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().keepAlive(keepAlive)));
    int proxyPort = freePort();
    long started = System.nanoTime();
    try (TcpForwarder path = new TcpForwarder(server.address().getPort())) {
      for (int i = 0; i < CYCLES; i++) {
        // Even cycles end cleanly; odd ones die silently (the server keeps a stale session that
        // the next cycle's client replaces).
        boolean silent = i % 2 == 1;
        try (TunnelClient client = TunnelClient.start(config(path.port(), proxyPort))) {
          await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
          assertThat(client.status().sessionState()).isEqualTo(SessionState.CONNECTED);
          if (silent) {
            path.stall();
          }
        }
      }
      TunnelClient live = fixture.startClient(config(server.address().getPort(), proxyPort));
      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
      System.out.printf(
          "leak: %d cycles in %d ms%n", CYCLES, (System.nanoTime() - started) / 1_000_000);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                ServerSnapshot s = server.snapshot();
                assertThat(s.sessions()).hasSize(1);
                assertThat(s.sessions().get(0).publicConnections()).isZero();
                assertThat(s.openStreams()).as("control stream only").isEqualTo(1);
                assertThat(s.proxies()).hasSize(1);
                assertThat(s.boundListeners()).isEqualTo(1);
                assertThat(s.pendingRetries()).isZero();
                assertThat(s.keepAliveTimers()).isEqualTo(1);
                assertThat(s.timers()).isEqualTo(1);
                assertThat(s.tunnelConnections()).isEqualTo(1);
              });
      assertThat(live.status().sessionState()).isEqualTo(SessionState.CONNECTED);
    }
  }

  private ClientConfig config(int serverPort, int proxyPort) {
    return fast(
        fixture.clientConfig(serverPort, "cycler", List.of(proxy("echo", proxyPort, echo.port()))));
  }
}
