package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Graceful shutdown: transfers in flight finish, new connections are refused meanwhile. */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(60)
class GracefulShutdownEndToEndTest {
  private static final int HALF = 16 * 1024 * 1024;

  @TempDir Path dir;
  private TunnelFixture fixture;
  private EchoService echo;
  private TunnelServer server;
  private TunnelClient client;
  private int port;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
    server = fixture.startServer();
    client =
        fixture.startClient(
            fast(
                fixture.clientConfig(
                    server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port())))));
    port = publishedPort(server, "echo");
  }

  @AfterEach
  void tearDown() throws Exception {
    fixture.close();
    echo.close();
  }

  /** Reads what the echo sends back, in the background, into a SHA-256. */
  private static CompletableFuture<Streams.Digest> readBack(Socket s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return Streams.readAll(s.getInputStream());
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** Writes the first half, runs {@code shutdown}, then the second half; checks the echo. */
  private void transferAcross(Runnable whileInFlight) throws Exception {
    byte[] data = new byte[2 * HALF];
    new Random(3).nextBytes(data);
    try (Socket s = Streams.connect(port, 30_000)) {
      CompletableFuture<Streams.Digest> back = readBack(s);
      s.getOutputStream().write(data, 0, HALF);
      whileInFlight.run();
      s.getOutputStream().write(data, HALF, HALF);
      s.shutdownOutput();
      Streams.Digest digest = back.get(30, TimeUnit.SECONDS);
      assertThat(digest.length()).isEqualTo(data.length);
      assertThat(digest.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }
  }

  @Test
  void serverDrainLetsTheTransferFinishByteExactAndRefusesNewConnections() throws Exception {
    CompletableFuture<?>[] shutdown = new CompletableFuture<?>[1];
    transferAcross(
        () -> {
          shutdown[0] = server.shutdownGracefully(Duration.ofSeconds(10));
          await().atMost(Duration.ofSeconds(5)).until(() -> Streams.refuses(port));
          assertThat(shutdown[0]).isNotDone();
        });
    long ended = System.nanoTime();
    shutdown[0].get(10, TimeUnit.SECONDS);
    long afterMillis = (System.nanoTime() - ended) / 1_000_000;
    System.out.printf("graceful: server closed %d ms after the last stream ended%n", afterMillis);
    assertThat(afterMillis).isLessThan(5_000);
    assertThat(server.snapshot().sessions()).isEmpty();
    assertThat(server.snapshot().tunnelConnections()).isZero();
    assertThat(client.exit()).as("the client waits to reconnect").isNotDone();
  }

  @Test
  void graceOverClosesWhatIsStillOpen() throws Exception {
    try (Socket idle = Streams.connect(port, 10_000);
        LogCapture yamux = new LogCapture(YamuxMultiplexHandler.class)) {
      idle.getOutputStream().write(1);
      assertThat(idle.getInputStream().read()).isEqualTo(1);
      long started = System.nanoTime();
      server.shutdownGracefully(Duration.ofMillis(500)).get(10, TimeUnit.SECONDS);
      long tookMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(tookMillis).isBetween(450L, 5_000L);
      assertThat(idle.getInputStream().read()).isEqualTo(-1);
      // The client saw the go-away: a detail, at DEBUG.
      assertThat(yamux.messagesAt("DEBUG")).anySatisfy(m -> assertThat(m).contains("go-away"));
      assertThat(yamux.messagesAt("INFO")).noneSatisfy(m -> assertThat(m).contains("go-away"));
    }
  }

  @Test
  void clientDrainLetsTheTransferFinishThenEndsClosed() throws Exception {
    CompletableFuture<?>[] shutdown = new CompletableFuture<?>[1];
    transferAcross(
        () -> {
          shutdown[0] = client.shutdownGracefully(Duration.ofSeconds(10));
          await()
              .atMost(Duration.ofSeconds(5))
              .until(() -> !Streams.echoes(port)); // go-away: the server opens no new streams
          assertThat(shutdown[0]).isNotDone();
        });
    assertThat(shutdown[0].get(10, TimeUnit.SECONDS)).isInstanceOf(ClientExit.class);
    assertThat(client.exit().get().closedOnRequest()).isTrue();
    assertThat(client.status().sessionState()).isEqualTo(SessionState.CLOSED);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.snapshot().sessions().isEmpty());
  }

  /**
   * The client drains while the public reader is slow: the last of the echo waits in the server's
   * stream when the client, its own side done, closes the tunnel. It still reaches the reader.
   */
  @Test
  void clientDrainLosesNothingAServerStreamStillHolds() throws Exception {
    byte[] data = new byte[4 * 1024 * 1024];
    new Random(5).nextBytes(data);
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      CompletableFuture<Streams.Digest> back = slowReadBack(s);
      s.getOutputStream().write(data);
      s.shutdownOutput();
      CompletableFuture<ClientExit> shutdown = client.shutdownGracefully(Duration.ofSeconds(20));
      Streams.Digest digest = back.get(40, TimeUnit.SECONDS);
      assertThat(digest.length()).isEqualTo(data.length);
      assertThat(digest.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
      assertThat(shutdown.get(10, TimeUnit.SECONDS).closedOnRequest()).isTrue();
    }
  }

  /** Reads the echo 4 KiB at a time with a pause after each, into a SHA-256. */
  private static CompletableFuture<Streams.Digest> slowReadBack(Socket s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return Streams.readAll(new PausingInput(s.getInputStream()));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** An input stream that hands on at most 4 KiB per read and sleeps 1 ms before each. */
  private static final class PausingInput extends java.io.FilterInputStream {
    PausingInput(java.io.InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      return super.read(b, off, Math.min(len, 4096));
    }
  }
}
