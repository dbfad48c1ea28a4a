package dev.tlstunnel.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.HealthCheck;
import dev.tlstunnel.testing.HealthService;
import dev.tlstunnel.testing.HealthService.Mode;
import dev.tlstunnel.testing.TestPki;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HealthMonitor} against real local services: verdicts change after exactly the configured
 * number of consecutive results, a hanging service fails by timeout, and each check type judges
 * what it should.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthMonitorTest {
  private static final Duration FAST = Duration.ofMillis(40);

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<AutoCloseable> closing = new ArrayList<>();
  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** What a monitor reported, in order: "pass", "fail: detail", "healthy", "unhealthy: reason". */
  private static final class Recorder implements HealthMonitor.Listener {
    private final List<String> seen = new ArrayList<>();

    @Override
    public synchronized void probed(ProbeResult result) {
      seen.add(result.passed() ? "pass" : "fail: " + result.detail());
    }

    @Override
    public synchronized void changed(boolean healthy, String reason) {
      seen.add(healthy ? "healthy" : "unhealthy: " + reason);
    }

    synchronized List<String> seen() {
      return List.copyOf(seen);
    }

    synchronized boolean saw(String prefix) {
      return seen.stream().anyMatch(s -> s.startsWith(prefix));
    }
  }

  private HealthMonitor monitor(HealthCheck check, int port, boolean ssh, Recorder r)
      throws SSLException {
    HealthMonitor m =
        new HealthMonitor(check, "127.0.0.1", port, ssh, group.next(), NioSocketChannel.class, r);
    closing.add(m::stop);
    m.start();
    return m;
  }

  private static HealthCheck http(int unhealthyAfter, int healthyAfter) {
    return HealthCheck.of(HealthCheck.Type.HTTP)
        .withTiming(FAST, Duration.ofSeconds(2))
        .withThresholds(unhealthyAfter, healthyAfter)
        .withHttp("/health", null, null);
  }

  @Test
  void aServiceSwitchedBetween200And500ChangesVerdictAfterExactlyTheConfiguredProbes()
      throws Exception {
    HealthService service = HealthService.http();
    closing.add(service);
    Recorder r = new Recorder();
    monitor(http(3, 2), service.port(), false, r);
    await().atMost(Duration.ofSeconds(10)).until(() -> count(r.seen(), "pass") >= 2);

    service.mode(Mode.FAIL);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.saw("unhealthy"));
    service.mode(Mode.OK);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.saw("healthy"));

    List<String> seen = r.seen();
    int unhealthy = indexOf(seen, "unhealthy");
    // exactly three failures in a row, the last one just before the change
    assertThat(seen.subList(unhealthy - 3, unhealthy))
        .allMatch(s -> s.equals("fail: HTTP 500 from /health"));
    assertThat(seen.get(unhealthy - 4)).isEqualTo("pass");
    assertThat(seen.get(unhealthy))
        .isEqualTo("unhealthy: 3 checks in a row failed: HTTP 500 from /health");
    int healthy = indexOf(seen, "healthy");
    assertThat(seen.subList(healthy - 2, healthy)).containsExactly("pass", "pass");
    // and not three: the one before them failed (or is the change to unhealthy, after a failure)
    assertThat(seen.get(healthy - 3)).isNotEqualTo("pass");
    assertThat(seen.stream().filter(s -> s.equals("healthy") || s.startsWith("unhealthy")))
        .hasSize(2);
  }

  @Test
  void failuresThatAreNotInARowDoNotCount() throws Exception {
    HealthService service = HealthService.http();
    closing.add(service);
    Recorder r = new Recorder();
    monitor(http(2, 1), service.port(), false, r);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.saw("pass"));
    service.mode(Mode.ALTERNATE);
    // a lifetime count of failures (frp's max_failed) would turn unhealthy after two of these
    await().atMost(Duration.ofSeconds(20)).until(() -> count(r.seen(), "fail") >= 6);
    assertThat(r.saw("unhealthy")).isFalse();
    assertThat(String.join(",", r.seen())).doesNotContain("fail: HTTP 500 from /health,fail");
  }

  @Test
  void aHangingServiceFailsByTimeout() throws Exception {
    HealthService service = HealthService.http();
    closing.add(service);
    service.mode(Mode.HANG);
    Recorder r = new Recorder();
    HealthCheck check =
        HealthCheck.of(HealthCheck.Type.HTTP)
            .withTiming(Duration.ofMillis(300), Duration.ofMillis(200))
            .withThresholds(2, 1)
            .withHttp("/health", null, null);
    long start = System.nanoTime();
    monitor(check, service.port(), false, r);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.saw("unhealthy"));
    assertThat(r.seen()).startsWith("fail: timed out after 200 ms", "fail: timed out after 200 ms");
    assertThat(r.seen().get(2))
        .isEqualTo("unhealthy: 2 checks in a row failed: timed out after 200 ms");
    // two timeouts and one interval between them, at least
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(600));
  }

  @Test
  void tcpChecksConnectAndAClosedPortFails() throws Exception {
    Recorder r = new Recorder();
    int port;
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = listening.getLocalPort();
      HealthMonitor m =
          monitor(
              HealthCheck.of(HealthCheck.Type.TCP)
                  .withTiming(FAST, Duration.ofSeconds(1))
                  .withThresholds(1, 1),
              port,
              false,
              r);
      await().atMost(Duration.ofSeconds(5)).until(() -> count(r.seen(), "pass") >= 2);
      assertThat(m.describe()).isEqualTo("tcp 127.0.0.1:" + port);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> r.saw("unhealthy"));
    assertThat(r.seen().get(indexOf(r.seen(), "unhealthy") - 1))
        .startsWith("fail: cannot connect to 127.0.0.1:" + port + ": ")
        .contains("refused");
  }

  @Test
  void aTcpCheckOfAnSshServiceWantsItsIdentificationString() throws Exception {
    try (ServerSocket ssh = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      daemon(() -> answer(ssh, "a pre-banner line\r\nSSH-2.0-OpenSSH_9.2\r\n"));
      daemon(() -> answer(silent, "HTTP/1.1 400 Bad Request\r\n\r\n"));
      HealthCheck check =
          HealthCheck.of(HealthCheck.Type.TCP)
              .withTiming(Duration.ofMillis(100), Duration.ofMillis(500))
              .withThresholds(1, 1);
      Recorder good = new Recorder();
      Recorder bad = new Recorder();
      monitor(check, ssh.getLocalPort(), true, good);
      monitor(check, silent.getLocalPort(), true, bad);
      await().atMost(Duration.ofSeconds(5)).until(() -> good.saw("pass") && bad.saw("unhealthy"));
      assertThat(good.saw("fail")).isFalse();
      assertThat(bad.seen().get(0))
          .isIn(
              "fail: connection closed before an SSH identification string",
              "fail: timed out after 500 ms");
    }
  }

  @Test
  void httpsChecksStatusRangesBodyAndHeaders() throws Exception {
    HealthService service = HealthService.https(TestPki.selfSigned(dir, "localhost"));
    closing.add(service);
    Recorder accepted = new Recorder();
    Recorder wrongBody = new Recorder();
    Recorder wrongStatus = new Recorder();
    HealthCheck base =
        HealthCheck.of(HealthCheck.Type.HTTPS)
            .withTiming(Duration.ofMillis(100), Duration.ofSeconds(3))
            .withThresholds(1, 1)
            .withHeaders(Map.of("X-Probe", "yes"));
    monitor(base.withHttp("/health", List.of("200-204"), "ok"), service.port(), false, accepted);
    monitor(base.withHttp("/health", null, "nope"), service.port(), false, wrongBody);
    monitor(
        base.withHttp("/health", List.of("201", "300-399"), null),
        service.port(),
        false,
        wrongStatus);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                accepted.saw("pass") && wrongBody.saw("unhealthy") && wrongStatus.saw("unhealthy"));
    assertThat(accepted.saw("fail")).isFalse();
    assertThat(wrongBody.seen().get(0)).isEqualTo("fail: HTTP 200 from /health without 'nope'");
    assertThat(wrongStatus.seen().get(0)).isEqualTo("fail: HTTP 200 from /health");
    assertThat(service.lastProbeHeader()).isEqualTo("yes");
  }

  private static void daemon(Runnable task) {
    Thread t = new Thread(task, "test-banner");
    t.setDaemon(true);
    t.start();
  }

  private static void answer(ServerSocket server, String text) {
    try {
      while (!server.isClosed()) {
        try (Socket s = server.accept();
            OutputStream out = s.getOutputStream()) {
          out.write(text.getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      }
    } catch (IOException closed) {
      // the test is over
    }
  }

  private static int count(List<String> seen, String prefix) {
    return (int) seen.stream().filter(s -> s.startsWith(prefix)).count();
  }

  private static int indexOf(List<String> seen, String prefix) {
    for (int i = 0; i < seen.size(); i++) {
      if (seen.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no " + prefix + " in " + seen);
  }
}
