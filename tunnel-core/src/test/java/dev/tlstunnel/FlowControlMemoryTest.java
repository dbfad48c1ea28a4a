package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.NonReaders;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Public connections that push and never read, through a real tunnel to an echo service: the server
 * holds at most their initial windows plus the session's window budget for them, and another
 * connection relays byte-exact meanwhile.
 */
@Timeout(120)
class FlowControlMemoryTest extends EchoTunnelTest {
  private static final int NON_READERS = 16;
  private static final int BUDGET = 4 * 1024 * 1024;

  @Test
  void nonReadersHoldNoMoreThanTheirWindowsAndTheSessionBudget() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .limits(TunnelFixture.built(Limits.builder().maxSessionWindow(BUDGET)))));
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port()))));
    int port = publishedPort(server, "echo");
    try (NonReaders nonReaders = new NonReaders(port, NON_READERS)) {
      long pushed = nonReaders.awaitStalled(Duration.ofSeconds(60));
      ServerSnapshot.SessionInfo stalled = session(server);
      long bound = (long) NON_READERS * YamuxConfig.INITIAL_WINDOW + BUDGET;
      System.out.printf(
          "flow control: %d non-readers stalled after pushing %d bytes; the server holds %d bytes"
              + " (%d per connection), window growth %d (budget %d)%n",
          NON_READERS,
          pushed,
          stalled.receiveBuffered(),
          stalled.receiveBuffered() / NON_READERS,
          stalled.receiveWindowGrowth(),
          BUDGET);
      assertThat(stalled.receiveWindowGrowth()).isLessThanOrEqualTo(BUDGET);
      assertThat(stalled.receiveBuffered()).isGreaterThan(0).isLessThanOrEqualTo(bound);

      long start = System.nanoTime();
      assertThat(Streams.echoesUntilEnd(port, 11, 32 * 1024 * 1024)).isTrue();
      System.out.printf(
          "flow control: 32 MiB echoed byte-exact beside them at %.1f MB/s each way%n",
          32 * 1024 * 1024 / 1e6 / ((System.nanoTime() - start) / 1e9));
      ServerSnapshot.SessionInfo after = session(server);
      assertThat(after.receiveWindowGrowth()).isLessThanOrEqualTo(BUDGET);
      assertThat(after.receiveBuffered()).isLessThanOrEqualTo(bound);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              ServerSnapshot.SessionInfo idle = session(server);
              assertThat(idle.publicConnections()).isZero();
              assertThat(idle.receiveBuffered()).isZero();
              assertThat(idle.receiveWindowGrowth()).isZero();
            });
  }

  private static ServerSnapshot.SessionInfo session(TunnelServer server) {
    List<ServerSnapshot.SessionInfo> sessions = server.snapshot().sessions();
    assertThat(sessions).hasSize(1);
    return sessions.get(0);
  }
}
