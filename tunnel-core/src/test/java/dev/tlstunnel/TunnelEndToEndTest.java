package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real server and client on loopback, with TLS, relaying to a real echo service. */
@Timeout(90)
class TunnelEndToEndTest extends EchoTunnelTest {

  @Test
  void echoesBytesExactly() throws Exception {
    int port = startEchoTunnel();
    byte[] sent = new byte[100_000];
    new Random(1).nextBytes(sent);
    try (Socket s = Streams.connect(port, 10_000)) {
      s.getOutputStream().write(sent);
      assertThat(Streams.readExactly(s.getInputStream(), sent.length)).isEqualTo(sent);
    }
  }

  @Test
  void twoHundredConcurrentConnectionsAllCorrect() throws Exception {
    int port = startEchoTunnel();
    assertThat(Streams.concurrentEchoes(port, 200)).isTrue();
    assertThat(echo.accepted()).isEqualTo(200);
  }

  @Test
  void sixtyFourMebibytesEachWayWithChecksums() throws Exception {
    int port = startEchoTunnel();
    long size = 64L * 1024 * 1024;
    try (Socket s = Streams.connect(port, 30_000)) {
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

  @Test
  void halfCloseTravelsBothWays() throws Exception {
    int port = startEchoTunnel();
    // The echo service answers only after it saw our end of output through the tunnel, and
    // ends its output afterwards: both directions' half-close crossed the tunnel.
    assertThat(Streams.echoAfterHalfClose(port, "hello, half-close"))
        .isEqualTo("hello, half-close");
  }

  @Test
  void theServiceThatEndsFirstStillGetsWhatThePublicClientSendsAfter() throws Exception {
    // The order of an HTTP server that answers and ends its output before its client has ended
    // its own: the public side's output is shut down first, its input ends later, and what came
    // in between still reaches the service, followed by its end of input.
    try (ServerSocket service = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> heard =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = service.accept()) {
                  s.getOutputStream().write("answer".getBytes(StandardCharsets.UTF_8));
                  s.shutdownOutput();
                  return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      TunnelServer server = fixture.startServer();
      fixture.startClient(
          fixture.clientConfig(
              server.address().getPort(), "c1", List.of(proxy("p", 0, service.getLocalPort()))));
      try (Socket s = Streams.connect(publishedPort(server, "p"), 10_000)) {
        assertThat(s.getInputStream().readAllBytes())
            .asString(StandardCharsets.UTF_8)
            .isEqualTo("answer");
        s.getOutputStream().write("late words".getBytes(StandardCharsets.UTF_8));
        s.shutdownOutput();
        assertThat(heard.get(10, TimeUnit.SECONDS)).isEqualTo("late words");
      }
    }
  }

  @Test
  void twoServersAndThreeClientsInOneJvm() throws Exception {
    TunnelServer a = fixture.startServer();
    TunnelServer b = fixture.startServer();
    fixture.startClient(
        fixture.clientConfig(a.address().getPort(), "c1", List.of(proxy("p1", 0, echo.port()))));
    fixture.startClient(
        fixture.clientConfig(a.address().getPort(), "c2", List.of(proxy("p2", 0, echo.port()))));
    fixture.startClient(
        fixture.clientConfig(b.address().getPort(), "c3", List.of(proxy("p1", 0, echo.port()))));
    int[] ports = {publishedPort(a, "p1"), publishedPort(a, "p2"), publishedPort(b, "p1")};
    for (int port : ports) {
      try (Socket s = Streams.connect(port, 10_000)) {
        OutputStream out = s.getOutputStream();
        out.write(("via " + port).getBytes(StandardCharsets.UTF_8));
        assertThat(Streams.readExactly(s.getInputStream(), ("via " + port).length()))
            .asString(StandardCharsets.UTF_8)
            .isEqualTo("via " + port);
      }
    }
    assertThat(a.snapshot().sessions()).hasSize(2);
    assertThat(b.snapshot().sessions()).hasSize(1);
  }

  @Test
  void wrongKeyEndsTheClientWithAuthenticationFailed() throws Exception {
    TunnelServer server = fixture.startServer();
    var config = fixture.clientConfig(server.address().getPort(), "c1", List.of());
    var wrong = config.toBuilder().authKey("not-the-right-key-at-all").build();
    TunnelClient client = fixture.startClient(wrong);
    var exit = client.exit().get();
    assertThat(exit.failure().kind()).isEqualTo(FailureKind.AUTH_REFUSED);
    assertThat(exit.message()).contains("authentication failed");
    assertThat(server.snapshot().sessions()).isEmpty();
  }
}
