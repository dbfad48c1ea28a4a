package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strangers on the tunnel port and on published ports: admission before TLS per source address, the
 * failed-auth penalty, and per-proxy bounds, while the legitimate client (from 127.0.0.1) keeps
 * working. Distinct sources are other loopback addresses (all of 127/8 is loopback on Linux).
 */
@Timeout(60)
class HostileClientsEndToEndTest extends EchoTunnelTest {
  private final List<Socket> sockets = new ArrayList<>();

  /** Runs before the base class closes the fixture and the echo service. */
  @AfterEach
  void closeRawSockets() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
  }

  /** A raw TCP connection from {@code localIp} that sends nothing. */
  private Socket rawFrom(String localIp, int port) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(localIp, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(5_000);
    return s;
  }

  @Test
  void sourceOverItsConnectionRateIsRefusedWhileOthersConnect() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .limits(
                        TunnelFixture.built(
                            Limits.builder()
                                .connectionRate(1)
                                .connectionBurst(3)
                                .maxUnauthenticated(1024)
                                .maxUnauthenticatedPerIp(64)))));
    int port = server.address().getPort();
    try (LogCapture capture = new LogCapture(admissionLogger())) {
      for (int i = 0; i < 10; i++) {
        rawFrom("127.0.0.2", port);
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.snapshot().rejectedConnections() >= 6);
      assertThat(Streams.closedByPeer(sockets.get(9))).isTrue();
      assertThat(capture.messages().stream().filter(m -> m.contains("/127.0.0.2:")))
          .singleElement()
          .asString()
          .contains("limit connection_rate=1/s (connection_burst=3) exceeded");
      assertThat(server.snapshot().suppressedLogLines()).isGreaterThanOrEqualTo(5);
    }
    assertThat(Streams.echoes(startEchoClient(server))).isTrue();
  }

  @Test
  void twoThousandRawConnectionsDoNotStopARealClient() throws Exception {
    TunnelServer server = fixture.startServer();
    int port = server.address().getPort();
    for (int ip = 10; ip < 30; ip++) {
      for (int i = 0; i < 100; i++) {
        rawFrom("127.0.0." + ip, port);
      }
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              var s = server.snapshot();
              assertThat(s.unauthenticated()).isLessThanOrEqualTo(20 * 64);
              assertThat(s.rejectedConnections() + s.unauthenticated()).isEqualTo(2000);
              assertThat(s.rejectedConnections()).isGreaterThanOrEqualTo(1000);
            });
    int published = startEchoClient(server);
    assertThat(Streams.echoes(published)).isTrue();
    for (Socket s : sockets) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.snapshot().unauthenticated() == 0);
    assertThat(server.snapshot().sessions()).hasSize(1);
  }

  @Test
  void wrongKeyEarnsItsSourceAPenaltyWhileOthersAreUnaffected() throws Exception {
    TunnelServer server = fixture.startServer();
    int port = server.address().getPort();
    try (TcpForwarder from5 = new TcpForwarder(port, InetAddress.getByName("127.0.0.5"));
        LogCapture auth = new LogCapture(authLogger());
        LogCapture admission = new LogCapture(admissionLogger())) {
      var wrong =
          fixture.clientConfig(from5.port(), "eve", List.of()).toBuilder()
              .authKey("not-the-right-key-at-all")
              .build();
      TunnelClient eve = fixture.startClient(wrong);
      assertThat(eve.exit().get().failure().kind()).isEqualTo(FailureKind.AUTH_REFUSED);
      assertThat(auth.messages())
          .anySatisfy(
              m ->
                  assertThat(m)
                      .startsWith("Refused client 'eve' from /127.0.0.5:")
                      .endsWith(
                          "authentication failed: invalid auth key; refusing new connections"
                              + " from this address for 1000 ms")
                      .doesNotContain(TunnelFixture.KEY)
                      .doesNotContain("not-the-right-key-at-all"));

      long rejectedBefore = server.snapshot().rejectedConnections();
      Socket again = rawFrom("127.0.0.5", port);
      assertThat(Streams.closedByPeer(again)).isTrue();
      assertThat(server.snapshot().rejectedConnections()).isEqualTo(rejectedBefore + 1);
      assertThat(admission.messages())
          .anySatisfy(m -> assertThat(m).contains("/127.0.0.5:").contains("auth penalty after 1"));

      assertThat(Streams.echoes(startEchoClient(server))).as("127.0.0.1 unaffected").isTrue();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                Socket probe = rawFrom("127.0.0.5", port);
                probe.setSoTimeout(300);
                return !Streams.closedByPeer(probe);
              });
    }
  }

  @Test
  void publicConnectionsBeyondTheProxyBoundAreClosedAndOthersKeepWorking() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .limits(
                        TunnelFixture.built(
                            Limits.builder()
                                .maxProxiesPerClient(256)
                                .maxConnectionsPerProxy(2)
                                .maxPendingConnects(256)))));
    int published = startEchoClient(server);
    Socket a = Streams.connect(published, 5_000);
    sockets.add(a);
    Socket b = Streams.connect(published, 5_000);
    sockets.add(b);
    try (LogCapture capture = new LogCapture(gateLogger())) {
      for (Socket s : List.of(a, b)) {
        s.getOutputStream().write('x');
        assertThat(s.getInputStream().read()).isEqualTo('x');
      }
      try (Socket c = Streams.connect(published, 5_000)) {
        assertThat(Streams.closedByPeer(c)).isTrue();
      }
      assertThat(capture.messages())
          .singleElement()
          .asString()
          .startsWith(
              "limit max_connections_per_proxy=2 reached for proxy 'echo' (client 'c1');"
                  + " closing connection from /127.0.0.1:");
      a.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> Streams.echoes(published));
      b.getOutputStream().write('y');
      assertThat(b.getInputStream().read()).isEqualTo('y');
    }
  }

  @Test
  void proxiesBeyondTheClientBoundAreRejectedNamingIt() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .limits(
                        TunnelFixture.built(
                            Limits.builder()
                                .maxProxiesPerClient(2)
                                .maxConnectionsPerProxy(1024)
                                .maxPendingConnects(256)))));
    try (LogCapture capture = new LogCapture(sessionLogger())) {
      fixture.startClient(
          fixture.clientConfig(
              server.address().getPort(),
              "c1",
              List.of(
                  proxy("a", 0, echo.port()),
                  proxy("b", 0, echo.port()),
                  proxy("c", 0, echo.port()))));
      assertThat(Streams.echoes(publishedPort(server, "a"))).isTrue();
      assertThat(Streams.echoes(publishedPort(server, "b"))).isTrue();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  capture
                      .messages()
                      .contains(
                          "[client=c1] Proxy 'c' rejected: limit max_proxies_per_client=2 reached"));
      assertThat(server.snapshot().proxies()).extracting(p -> p.name()).containsOnly("a", "b");
    }
  }

  private static Class<?> admissionLogger() throws ClassNotFoundException {
    return Class.forName("dev.tlstunnel.server.AdmissionControl");
  }

  private static Class<?> authLogger() throws ClassNotFoundException {
    return Class.forName("dev.tlstunnel.server.ServerAuthHandler");
  }

  private static Class<?> gateLogger() throws ClassNotFoundException {
    return Class.forName("dev.tlstunnel.server.PublicConnectionGate");
  }

  private static Class<?> sessionLogger() throws ClassNotFoundException {
    return Class.forName("dev.tlstunnel.server.ProxyRegistration");
  }
}
