package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Flow control under a reader that does not read, and a local service that is not there. */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(60)
class BackpressureAndFailureTest {
  private static final int WINDOW = 1024 * 1024;

  @TempDir Path dir;
  private TunnelFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new TunnelFixture(dir);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void slowPublicReaderStallsTheLocalWriterInsteadOfBuffering() throws Exception {
    AtomicLong produced = new AtomicLong();
    try (ServerSocket firehose = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread writer = new Thread(() -> pump(firehose, produced), "firehose");
      writer.setDaemon(true);
      writer.start();
      Limits window =
          TunnelFixture.built(
              Limits.builder()
                  .maxReceiveWindow(WINDOW)
                  .maxFramePayload(64 * 1024)
                  .maxStreamsPerSession(1024));
      TunnelServer server =
          TunnelServer.start(TunnelFixture.built(fixture.serverBuilder().limits(window)));
      try (TunnelClient client =
          TunnelClient.builder(
                  fixture.clientConfig(
                      server.address().getPort(),
                      "c1",
                      List.of(proxy("firehose", 0, firehose.getLocalPort()))))
              .maxReceiveWindow(WINDOW)
              .maxStreams(1024)
              .start()) {
        try (Socket reader = new Socket()) {
          reader.setReceiveBufferSize(64 * 1024);
          reader.connect(
              new java.net.InetSocketAddress("127.0.0.1", publishedPort(server, "firehose")));
          // The reader reads nothing: the writer must stall once windows and buffers are full.
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(250))
              .until(stalled(produced));
          long inFlight = produced.get();
          long kernel = kernelBufferBound();
          System.out.printf(
              "slow reader: %d bytes in flight (window %d, kernel socket buffers up to %d)%n",
              inFlight, WINDOW, kernel);
          // In flight: the two yamux windows (client send side, server receive side), the relay's
          // write-buffer high-water marks, and the kernel buffers of the four loopback sockets.
          assertThat(inFlight).isLessThan(4L * WINDOW + kernel);
          assertThat(client.exit()).as("the tunnel survives the stall").isNotDone();
        }
      } finally {
        server.close();
      }
    }
  }

  private static java.util.concurrent.Callable<Boolean> stalled(AtomicLong produced) {
    long[] last = {-1};
    int[] quiet = {0};
    return () -> {
      long now = produced.get();
      quiet[0] = now == last[0] && now > 0 ? quiet[0] + 1 : 0;
      last[0] = now;
      return quiet[0] >= 4;
    };
  }

  private static void pump(ServerSocket server, AtomicLong produced) {
    try (Socket s = server.accept()) {
      s.setSendBufferSize(64 * 1024);
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[16 * 1024];
      for (long i = 0; i < 64 * 1024; i++) {
        out.write(chunk);
        produced.addAndGet(chunk.length);
      }
    } catch (IOException e) {
      // the test ended and closed the tunnel
    }
  }

  /** Loopback sockets: the server's public and the client's local socket may autotune to these. */
  private static long kernelBufferBound() throws IOException {
    return sysctlMax("tcp_wmem") + sysctlMax("tcp_rmem") + 2L * 64 * 1024;
  }

  private static long sysctlMax(String name) throws IOException {
    try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4", name))) {
      String[] fields = in.readLine().trim().split("\\s+");
      return Long.parseLong(fields[fields.length - 1]);
    }
  }

  @Test
  void localServiceDownClosesThePublicConnectionAfterTheRetries() throws Exception {
    TunnelServer server = fixture.startServer();
    Socket nothingThere = TunnelFixture.refusingPort();
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(),
            "c1",
            List.of(proxy("down", 0, nothingThere.getLocalPort()))));
    int port = publishedPort(server, "down");
    try (nothingThere;
        Socket s = Streams.connect(port, 10_000)) {
      long start = System.nanoTime();
      int read;
      try {
        read = s.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(read).isEqualTo(-1);
      // 1 attempt + 3 retries 100 ms apart, then the close must arrive within a second.
      assertThat(millis).isLessThan(300 + 1_000);
    }
  }
}
