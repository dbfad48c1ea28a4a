package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.common.ListenerSet;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listeners on a real tunnel: what they hear, and that one that throws harms nothing. */
@Timeout(60)
class ListenersEndToEndTest extends EchoTunnelTest {

  @Test
  void whenHealthyCompletesWithThePublishedAddress() throws Exception {
    TunnelServer server = fixture.startServer();
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(
                server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port()))));
    InetSocketAddress published = client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS);
    assertThat(published.getPort()).isEqualTo(publishedPort(server, "echo"));
    assertThat(published.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(client.connected().get(10, TimeUnit.SECONDS).clientId()).isEqualTo("c1");
    assertThat(Streams.echoes(published.getPort())).isTrue();
  }

  @Test
  void publicConnectionsAreReportedWithTheirBytesAndDuration() throws Exception {
    EventRecorder events = new EventRecorder();
    TunnelServer server = TunnelServer.builder(fixture.serverConfig()).listener(events).start();
    try (server) {
      TunnelClient client =
          fixture.startClient(
              fixture.clientConfig(
                  server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port()))));
      int port = client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
      try (Socket s = Streams.connect(port, 10_000)) {
        assertThat(Streams.echoesExactly(s, 7, 100_000)).isTrue();
      }
      ServerEvent.PublicConnectionClosed closed =
          events.awaitFirst(ServerEvent.PublicConnectionClosed.class, e -> true);
      ServerEvent.PublicConnectionOpened opened =
          events.awaitFirst(ServerEvent.PublicConnectionOpened.class, e -> true);
      assertThat(opened.clientId()).isEqualTo("c1");
      assertThat(opened.proxyName()).isEqualTo("echo");
      assertThat(closed.peer()).isEqualTo(opened.peer());
      assertThat(closed.bytesFromPeer()).isEqualTo(100_000);
      assertThat(closed.bytesToPeer()).isEqualTo(100_000);
      assertThat(closed.duration()).isPositive();
      client.close();
      ServerEvent.ClientDisconnected gone =
          events.awaitFirst(ServerEvent.ClientDisconnected.class, e -> true);
      assertThat(gone.proxiesReleased()).isEqualTo(1);
      assertThat(gone.replaced()).isFalse();
    }
  }

  @Test
  void aListenerThatThrowsIsLoggedOnceAndTheTunnelGoesOn() throws Exception {
    AtomicInteger serverCalls = new AtomicInteger();
    AtomicInteger clientCalls = new AtomicInteger();
    TunnelServer.Listener badServerListener =
        new TunnelServer.Listener() {
          @Override
          public void onEvent(ServerEvent event) {
            serverCalls.incrementAndGet();
            throw new IllegalStateException("server listener bug");
          }
        };
    TunnelClient.Listener badClientListener =
        new TunnelClient.Listener() {
          @Override
          public void onEvent(ClientEvent event) {
            clientCalls.incrementAndGet();
            throw new IllegalStateException("client listener bug");
          }
        };
    EventRecorder after = new EventRecorder();
    try (LogCapture logs = new LogCapture(ListenerSet.class)) {
      TunnelServer server =
          TunnelServer.builder(fixture.serverConfig())
              .listener(badServerListener)
              .listener(after)
              .start();
      try (server;
          TunnelClient client =
              TunnelClient.builder(
                      fixture.clientConfig(
                          server.address().getPort(),
                          "c1",
                          List.of(proxy("a", 0, echo.port()), proxy("b", 0, echo.port()))))
                  .listener(badClientListener)
                  .listener(after)
                  .start()) {
        int a = client.proxy("a").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
        int b = client.proxy("b").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
        for (int i = 0; i < 3; i++) {
          assertThat(Streams.echoes(a)).isTrue();
          assertThat(Streams.echoes(b)).isTrue();
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> after.all(ServerEvent.PublicConnectionClosed.class).size() == 6);
        assertThat(after.all(ServerEvent.ProxyBound.class)).hasSize(2);
        assertThat(serverCalls.get()).isGreaterThan(6);
        assertThat(clientCalls.get()).isGreaterThan(4);
        // One WARN per listener, however often it failed.
        assertThat(logs.warnings("the tunnel goes on")).hasSize(2);
      }
    }
  }
}
