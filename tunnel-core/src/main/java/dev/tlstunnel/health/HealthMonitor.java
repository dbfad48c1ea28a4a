package dev.tlstunnel.health;

import dev.tlstunnel.config.HealthCheck;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Checks one proxy's local service for as long as it runs: a probe at start, then one every {@code
 * interval} (±10 %, so that many proxies do not probe in step) after the previous one ended. The
 * service starts out healthy; {@code unhealthy_after} failures in a row make it unhealthy and
 * {@code healthy_after} passes in a row healthy again, each change heard once by the {@link
 * Listener}. Event-loop timers only: no thread per probe, nothing runs between probes. Confined to
 * its event loop.
 */
public final class HealthMonitor {
  /** Hears a monitor's verdicts, on its event loop. */
  public interface Listener {
    /** Every probe's result, before any change of verdict it causes. */
    default void probed(ProbeResult result) {}

    /**
     * The verdict changed.
     *
     * @param healthy the new verdict
     * @param reason when unhealthy: why, e.g. {@code 3 checks in a row failed: HTTP 500 from /}
     */
    void changed(boolean healthy, String reason);
  }

  private final HealthCheck check;
  private final Probe probe;
  private final EventLoop loop;
  private final Listener listener;
  private boolean healthy = true;
  private String reason;
  private int failuresInRow;
  private int passesInRow;
  private boolean running;
  private ScheduledFuture<?> next;

  /**
   * A monitor of the service at {@code host:port}, not started.
   *
   * @param sshBanner whether a tcp check also waits for the SSH identification string
   * @throws SSLException when an https check cannot set up TLS
   */
  public HealthMonitor(
      HealthCheck check,
      String host,
      int port,
      boolean sshBanner,
      EventLoop loop,
      Class<? extends SocketChannel> channelClass,
      Listener listener)
      throws SSLException {
    this.check = check;
    this.loop = loop;
    this.listener = listener;
    SslContext tls =
        check.type() == HealthCheck.Type.HTTPS
            ? SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build()
            : null;
    this.probe = new Probe(check, host, port, sshBanner, loop, channelClass, tls);
  }

  /** Starts probing (the first probe at once); from any thread. */
  public void start() {
    loop.execute(
        () -> {
          if (!running) {
            running = true;
            probeNow();
          }
        });
  }

  /** Stops probing; a probe in flight ends without a verdict. From any thread. */
  public void stop() {
    if (loop.isShuttingDown()) {
      return;
    }
    loop.execute(
        () -> {
          running = false;
          if (next != null) {
            next.cancel(false);
            next = null;
          }
        });
  }

  /** The current verdict (on the event loop). */
  public boolean healthy() {
    return healthy;
  }

  /** Why the service is unhealthy, or null (on the event loop). */
  public String reason() {
    return reason;
  }

  /** What the probes reach, e.g. {@code http 127.0.0.1:8080/health}. */
  public String describe() {
    return probe.describe();
  }

  private void probeNow() {
    next = null;
    if (running) {
      probe.run(this::onResult);
    }
  }

  private void onResult(ProbeResult result) {
    if (!running) {
      return;
    }
    listener.probed(result);
    if (result.passed()) {
      failuresInRow = 0;
      passesInRow++;
      if (!healthy && passesInRow >= check.healthyAfter()) {
        healthy = true;
        reason = null;
        listener.changed(true, null);
      }
    } else {
      passesInRow = 0;
      failuresInRow++;
      if (healthy && failuresInRow >= check.unhealthyAfter()) {
        healthy = false;
        reason =
            (failuresInRow == 1 ? "check failed: " : failuresInRow + " checks in a row failed: ")
                + result.detail();
        listener.changed(false, reason);
      }
    }
    if (running) {
      next = loop.schedule(this::probeNow, jittered(), TimeUnit.NANOSECONDS);
    }
  }

  private long jittered() {
    long nanos = check.interval().toNanos();
    return nanos - nanos / 10 + ThreadLocalRandom.current().nextLong(nanos / 5 + 1);
  }
}
