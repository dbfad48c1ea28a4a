package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The legitimate client's throughput and latency, quiet and then while 500 connections stall in the
 * TLS handshake, 500 finish it and say nothing, and 20 public connections send without ever
 * reading. The attackers come from other loopback addresses than the client, as strangers would.
 * Tolerances are generous (this machine is shared); the exact figures are printed and kept in
 * docs/SECURITY.md.
 */
@Timeout(120)
class SlowAttackersTest extends EchoTunnelTest {
  private static final int PAYLOAD = 16 * 1024 * 1024;
  private static final int ROUND_TRIPS = 300;

  @Test
  void legitimateClientKeepsItsThroughputAndLatencyUnderSlowAttackers() throws Exception {
    TunnelServer server =
        fixture.startServer(fixture.serverConfig().withHandshakeTimeoutMillis(60_000));
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(), "legit", List.of(proxy("echo", 0, echo.port()))));
    int published = publishedPort(server, "echo");
    int tunnelPort = server.address().getPort();
    measure(published); // warm-up: the JIT, the pools, the windows
    Result quiet = measure(published);
    List<AutoCloseable> attackers = new ArrayList<>();
    try {
      SSLContext tls = RawYamux.trusting(fixture.pki().cert());
      for (int i = 0; i < 500; i++) {
        attackers.add(stalledHandshake(source(2, i), tunnelPort));
      }
      for (int i = 0; i < 500; i++) {
        attackers.add(RawYamux.connect(tls, source(1, i), tunnelPort));
      }
      AtomicLong pushed = new AtomicLong();
      for (int i = 0; i < 20; i++) {
        attackers.add(neverReads(published, pushed));
      }
      // Flow control must stop the non-readers once their windows and buffers are full; measure
      // from then on (while they fill, they share the tunnel like any other stream).
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(stalled(pushed));
      System.out.printf("slow attackers: non-readers stalled after %d bytes%n", pushed.get());
      Result attacked = measure(published);
      System.out.printf(
          "slow attackers: throughput %.1f -> %.1f MB/s (%.0f%%), p50 %d -> %d us%n",
          quiet.mbPerSecond,
          attacked.mbPerSecond,
          100 * attacked.mbPerSecond / quiet.mbPerSecond,
          quiet.p50Micros,
          attacked.p50Micros);
      assertThat(attacked.mbPerSecond).isGreaterThan(quiet.mbPerSecond * 0.5);
      assertThat(attacked.p50Micros).isLessThan(quiet.p50Micros * 3 + 200);
      assertThat(server.snapshot().sessions()).hasSize(1);
    } finally {
      for (AutoCloseable c : attackers) {
        c.close();
      }
    }
  }

  /** 127.0.x.y: 25 addresses per group, 20 connections each (within the per-address limits). */
  private static String source(int group, int i) {
    return "127.0." + (10 + group) + "." + (2 + i % 25);
  }

  private record Result(double mbPerSecond, long p50Micros) {}

  private static Result measure(int port) throws Exception {
    long start = System.nanoTime();
    try (Socket s = Streams.connect(port, 30_000)) {
      CompletableFuture<Streams.Digest> back =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Streams.readAll(s.getInputStream());
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      byte[] sent = Streams.writeRandom(s.getOutputStream(), 7, PAYLOAD);
      s.shutdownOutput();
      Streams.Digest digest = back.get();
      assertThat(digest.sha256()).isEqualTo(sent);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] rtt = new long[ROUND_TRIPS];
    try (Socket s = Streams.connect(port, 10_000)) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      byte[] ping = new byte[64];
      for (int i = 0; i < ROUND_TRIPS; i++) {
        long t = System.nanoTime();
        out.write(ping);
        Streams.readExactly(in, ping.length);
        rtt[i] = (System.nanoTime() - t) / 1_000;
      }
    }
    Arrays.sort(rtt);
    return new Result(2.0 * PAYLOAD / 1e6 / seconds, rtt[ROUND_TRIPS / 2]);
  }

  /** A TCP connection that sends the first bytes of a TLS ClientHello and then nothing. */
  private static Socket stalledHandshake(String source, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(source, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01});
    return s;
  }

  private static Callable<Boolean> stalled(AtomicLong counter) {
    long[] last = {-1};
    int[] quiet = {0};
    return () -> {
      long now = counter.get();
      quiet[0] = now == last[0] ? quiet[0] + 1 : 0;
      last[0] = now;
      return quiet[0] >= 4;
    };
  }

  /** A public connection that pushes bytes to the echo service and never reads the echo. */
  private static Socket neverReads(int port, AtomicLong pushed) throws IOException {
    Socket s = Streams.connect(port, 10_000);
    Thread pusher =
        new Thread(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              try {
                for (int i = 0; i < 1024; i++) {
                  s.getOutputStream().write(chunk);
                  pushed.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                // closed at the end of the test while blocked: expected
              }
            },
            "never-reads");
    pusher.setDaemon(true);
    pusher.start();
    return s;
  }
}
