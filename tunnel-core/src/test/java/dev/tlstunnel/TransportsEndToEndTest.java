package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminApi;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TcpForwarder;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The main end-to-end scenarios on each transport: a real server and client on loopback, with TLS,
 * relaying to a real echo service.
 */
@Timeout(120)
class TransportsEndToEndTest extends EchoTunnelTest {

  private ServerConfig.Builder serverBuilder(TunnelTransport t) {
    return fixture.serverBuilder().transport(ServerTransportConfig.of(t).withPath("/t"));
  }

  private ServerConfig server(TunnelTransport t) {
    return TunnelFixture.built(serverBuilder(t));
  }

  private ClientConfig client(TunnelTransport t, int serverPort, List<ProxyConfig> proxies) {
    return TunnelFixture.built(
        fixture
            .clientBuilder(serverPort, "c1", proxies)
            .transport(ClientTransportConfig.of(t).withPath("/t")));
  }

  private int startEchoTunnel(TunnelTransport t) throws Exception {
    TunnelServer server = fixture.startServer(server(t));
    fixture.startClient(
        client(t, server.address().getPort(), List.of(proxy("echo", 0, echo.port()))));
    return publishedPort(server, "echo");
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void echoesBytesExactlyAndShowsTheTransport(TunnelTransport t) throws Exception {
    try (LogCapture log = new LogCapture(Class.forName("dev.tlstunnel.server.ServerSession"))) {
      TunnelServer server = fixture.startServer(server(t));
      TunnelClient client =
          fixture.startClient(
              client(t, server.address().getPort(), List.of(proxy("echo", 0, echo.port()))));
      int port = publishedPort(server, "echo");
      byte[] sent = new byte[100_000];
      new Random(1).nextBytes(sent);
      try (Socket s = Streams.connect(port, 10_000)) {
        s.getOutputStream().write(sent);
        assertThat(Streams.readExactly(s.getInputStream(), sent.length)).isEqualTo(sent);
      }
      assertThat(server.snapshot().sessions().get(0).transport()).isEqualTo(t.configName());
      assertThat(client.status().transport()).isEqualTo(t.configName());
      assertThat(log.messages())
          .anyMatch(
              m -> m.matches("Client 'c1' connected from /127.0.0.1:\\d+ over " + t.configName()));
    }
  }

  /**
   * Longer timeout: under the tests' PARANOID leak detector, Netty's WebSocket encoder masks the
   * client's 64 MiB eight bytes at a time on a leak-tracked buffer, and each access records a stack
   * trace (about 100 s on wss on a quiet 2-core machine; seconds without the detector).
   */
  @Timeout(400)
  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void sixtyFourMebibytesEachWayWithChecksums(TunnelTransport t) throws Exception {
    int port = startEchoTunnel(t);
    long size = 64L * 1024 * 1024;
    try (Socket s = Streams.connect(port, 60_000)) {
      CompletableFuture<Streams.Digest> received =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Streams.readAll(s.getInputStream());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      byte[] sentDigest = Streams.writeRandom(s.getOutputStream(), 42, size);
      s.shutdownOutput();
      Streams.Digest digest = received.get();
      assertThat(digest.length()).isEqualTo(size);
      assertThat(digest.sha256()).isEqualTo(sentDigest);
    }
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void twoHundredConcurrentConnectionsAllCorrect(TunnelTransport t) throws Exception {
    int port = startEchoTunnel(t);
    List<Socket> sockets = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        sockets.add(Streams.connect(port, 30_000));
        byte[] payload = new byte[8 * 1024 + i];
        new Random(i).nextBytes(payload);
        payloads.add(payload);
      }
      for (int i = 0; i < 200; i++) {
        sockets.get(i).getOutputStream().write(payloads.get(i));
      }
      for (int i = 0; i < 200; i++) {
        byte[] back = Streams.readExactly(sockets.get(i).getInputStream(), payloads.get(i).length);
        assertThat(back).as("connection %d", i).isEqualTo(payloads.get(i));
      }
      assertThat(echo.accepted()).isEqualTo(200);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void takenPortRetriesWhileOthersServeThenRecovers(TunnelTransport t) throws Exception {
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try {
      int taken = squatter.getLocalPort();
      TunnelServer server =
          fixture.startServer(
              TunnelFixture.built(
                  serverBuilder(t)
                      .bindRetry(
                          new BindRetryPolicy(
                              200, Duration.ofMillis(50), Duration.ofMillis(100)))));
      TunnelClient client =
          fixture.startClient(
              client(
                  t,
                  server.address().getPort(),
                  List.of(
                      proxy("proxy1", 0, echo.port()),
                      proxy("proxy2", taken, echo.port()),
                      proxy("proxy3", 0, echo.port()))));
      assertThat(Streams.echoes(publishedPort(server, "proxy1"))).isTrue();
      assertThat(Streams.echoes(publishedPort(server, "proxy3"))).isTrue();
      await().until(() -> status(client, "proxy2") == dev.tlstunnel.ProxyStatus.UNHEALTHY);
      assertThat(client.status().proxies().get(1).error())
          .isEqualTo("Port " + taken + " is already in use by another process");
      squatter.close();
      await().until(() -> status(client, "proxy2") == dev.tlstunnel.ProxyStatus.HEALTHY);
      assertThat(Streams.echoes(taken)).isTrue();
    } finally {
      squatter.close();
    }
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void serverRestartedOnTheSamePortClientComesBack(TunnelTransport t) throws Exception {
    int tunnelPort = freePort();
    int proxyPort = freePort();
    TunnelServer first =
        fixture.startServer(TunnelFixture.built(serverBuilder(t).bindPort(tunnelPort)));
    ClientConfig config =
        TunnelFixture.built(
            fast(client(t, tunnelPort, List.of(proxy("echo", proxyPort, echo.port()))).toBuilder())
                .admin("127.0.0.1", 0));
    TunnelClient client = fixture.startClient(config);
    await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(proxyPort));
    first.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> AdminApi.status(client.adminPort()).path("reconnect_attempt").asInt() >= 1);
    fixture.startServer(TunnelFixture.built(serverBuilder(t).bindPort(tunnelPort)));
    await().atMost(Duration.ofSeconds(15)).until(() -> Streams.echoes(proxyPort));
    var up = AdminApi.status(client.adminPort());
    assertThat(up.path("session_state").asText()).isEqualTo("connected");
    assertThat(up.path("transport").asText()).isEqualTo(t.configName());
  }

  @ParameterizedTest
  @EnumSource(TunnelTransport.class)
  void halfOpenPathIsDetectedByBothSidesKeepalives(TunnelTransport t) throws Exception {
    KeepAlive keepAlive = new KeepAlive(Duration.ofMillis(100), Duration.ofMillis(600));
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(serverBuilder(t).keepAlive(keepAlive)));
    try (TcpForwarder path = new TcpForwarder(server.address().getPort())) {
      TunnelClient client =
          fixture.startClient(
              client(t, path.port(), List.of(proxy("echo", 0, echo.port()))).toBuilder()
                  .keepAlive(keepAlive)
                  .reconnect(
                      new ReconnectPolicy(
                          false, Duration.ofSeconds(1), Duration.ofSeconds(1), false))
                  .build());
      publishedPort(server, "echo");
      assertThat(server.snapshot().keepAliveTimers()).isEqualTo(1);
      path.stall();
      ClientExit exit = client.exit().get(10, TimeUnit.SECONDS);
      assertThat(exit.message()).contains("keepalive timeout 600 ms");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.snapshot().sessions().isEmpty());
    }
  }

  private static dev.tlstunnel.ProxyStatus status(TunnelClient client, String proxy) {
    return client.status().proxies().stream()
        .filter(p -> p.name().equals(proxy))
        .findFirst()
        .orElseThrow()
        .status();
  }
}
