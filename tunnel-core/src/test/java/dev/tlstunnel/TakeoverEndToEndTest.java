package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.time.Duration;
import java.util.List;
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

  private static ProxyState state(TunnelClient client) {
    return client.status().proxies().get(0);
  }
}
