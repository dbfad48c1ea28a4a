package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client whose old connection is dead (the server has not noticed: its keepalive timeout is the
 * default 30 s) comes back with the same id: the stale session is replaced at once.
 */
@Timeout(60)
class TakeoverEndToEndTest extends EchoTunnelTest {

  private ClientConfig client(int serverPort, String id, int proxyPort) {
    return TunnelFixture.built(
        fast(fixture.clientBuilder(serverPort, id, List.of(proxy("web", proxyPort, echo.port()))))
            .keepAlive(dev.tlstunnel.config.KeepAlive.DEFAULT));
  }

  @Test
  void sameClientIdReplacesItsStaleSessionAtOnceOtherIdsAreStillRejected() throws Exception {
    TunnelServer server = fixture.startServer();
    int serverPort = server.address().getPort();
    int proxyPort = freePort();
    try (TcpForwarder path = new TcpForwarder(serverPort);
        LogCapture sessionLog =
            new LogCapture(Class.forName("dev.tlstunnel.server.ServerSession"))) {
      TunnelClient first = fixture.startClient(client(path.port(), "office", proxyPort));
      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
      String stale = server.snapshot().sessions().get(0).remoteAddress();

      path.stall();
      first.close(); // its FIN never reaches the server: the session there is stale
      assertThat(server.snapshot().sessions())
          .singleElement()
          .satisfies(s -> assertThat(s.remoteAddress()).isEqualTo(stale));

      long started = System.nanoTime();
      TunnelClient second = fixture.startClient(client(serverPort, "office", proxyPort));
      await().atMost(Duration.ofSeconds(5)).until(() -> Streams.echoes(proxyPort));
      long takeoverMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "takeover: the new session served %d ms after it started%n", takeoverMillis);
      assertThat(state(second).status()).isEqualTo(ProxyStatus.HEALTHY);
      assertThat(server.snapshot().sessions())
          .singleElement()
          .satisfies(s -> assertThat(s.remoteAddress()).isNotEqualTo(stale));
      assertThat(sessionLog.messages())
          .anySatisfy(
              m ->
                  assertThat(m)
                      .startsWith("Client 'office' reconnected from /127.0.0.1:")
                      .endsWith("; replacing its previous session from " + stale));

      TunnelClient intruder = fixture.startClient(client(serverPort, "intruder", proxyPort));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> state(intruder).status() == ProxyStatus.REJECTED);
      assertThat(state(intruder).error())
          .isEqualTo("proxy name 'web' is already registered by client 'office'");
      assertThat(Streams.echoes(proxyPort)).isTrue();
      assertThat(server.snapshot().sessions()).hasSize(2);
      assertThat(server.snapshot().boundListeners()).isEqualTo(1);
    }
  }

  @Test
  void twoClientsWithOneIdAreToldWhyAndBackOffInsteadOfTakingTheSessionBackAtOnce()
      throws Exception {
    TunnelServer server = fixture.startServer();
    int serverPort = server.address().getPort();
    EventRecorder aEvents = new EventRecorder();
    EventRecorder bEvents = new EventRecorder();
    try (LogCapture serverLog =
            new LogCapture(Class.forName("dev.tlstunnel.server.ServerSession"));
        LogCapture clientLog =
            new LogCapture(Class.forName("dev.tlstunnel.client.ReconnectLoop"))) {
      TunnelClient a = TunnelClient.builder(client(serverPort, "dup", 0)).listener(aEvents).start();
      a.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);
      TunnelClient b = TunnelClient.builder(client(serverPort, "dup", 0)).listener(bEvents).start();
      try (a;
          b) {
        List<ClientEvent.Disconnected> aReplaced = replaced(aEvents, 3);
        replaced(bEvents, 2);

        ClientEvent.Disconnected first = aReplaced.get(0);
        assertThat(first.failure().message())
            .startsWith("server 127.0.0.1:" + serverPort + " replaced this session: another")
            .contains("client with client id 'dup' connected from /127.0.0.1:")
            .endsWith("; give each client its own client_id");
        // 100 ms doubling to 400 ms (fast()), +-20 %: each wait longer than the one before, though
        // the session was up in between.
        assertThat(aReplaced.get(1).retryIn()).isGreaterThan(first.retryIn());
        assertThat(aReplaced.get(2).retryIn()).isGreaterThan(aReplaced.get(1).retryIn());
        assertThat(clientLog.messages())
            .filteredOn(m -> m.contains("give each client its own client_id"))
            .isNotEmpty();
        assertThat(clientLog.messagesAt("ERROR"))
            .as("one ERROR per client")
            .hasSize(2)
            .allMatch(m -> m.contains("client id 'dup'"));
        assertThat(serverLog.warnings("Client id 'dup' is used by more than one client"))
            .as("one WARN for the id, however often they replace each other")
            .hasSize(1);
      }
    }
  }

  /** Waits for {@code count} sessions of a client replaced by the other client with its id. */
  private static List<ClientEvent.Disconnected> replaced(EventRecorder events, int count) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                events.all(ClientEvent.Disconnected.class).stream()
                    .filter(e -> e.failure().kind() == FailureKind.REPLACED)
                    .toList(),
            list -> list.size() >= count);
  }

  private static ProxyState state(TunnelClient client) {
    return client.status().proxies().get(0);
  }
}
