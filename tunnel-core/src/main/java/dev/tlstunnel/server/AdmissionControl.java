package dev.tlstunnel.server;

import dev.tlstunnel.config.Limits;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any TLS work, whether a new tunnel connection may proceed: a token bucket of new
 * connections per source address, caps on connections not yet authenticated (over all sources and
 * per source), and a penalty after failed authentications (refused for 1 s, doubling per
 * consecutive failure up to {@link Limits#authPenaltyMax()}, reset by a success). State is per
 * server and bounded: at most {@link #MAX_SOURCES} addresses are remembered. Thread-safe.
 */
final class AdmissionControl {
  private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

  /** Most source addresses remembered; the least recently seen are forgotten first. */
  static final int MAX_SOURCES = 65_536;

  private static final long FIRST_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final AttributeKey<InetAddress> PENDING =
      AttributeKey.valueOf("tls-tunnel.unauthenticated");

  private final Limits limits;
  private final RateLimitedLog logs;
  private final LongSupplier clock;
  private final Map<InetAddress, Source> sources;
  private int unauthenticated;
  private long rejected;

  /** What is known about one source address. */
  private static final class Source {
    double tokens;
    long refilledAt;
    int unauthenticated;
    int failures;
    long penaltyUntil;
  }

  AdmissionControl(Limits limits, RateLimitedLog logs, LongSupplier clock) {
    this.limits = limits;
    this.logs = logs;
    this.clock = clock;
    this.sources =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<InetAddress, Source> eldest) {
            return size() > MAX_SOURCES;
          }
        };
  }

  /**
   * Counts {@code ch} as unauthenticated and returns true, or closes it, logs why (rate-limited)
   * and returns false.
   */
  boolean admit(Channel ch) {
    InetAddress ip = address(ch);
    String refusal;
    synchronized (this) {
      refusal = refusal(ip);
      if (refusal == null) {
        unauthenticated++;
        source(ip).unauthenticated++;
      } else {
        rejected++;
      }
    }
    if (refusal != null) {
      logs.warn(
          log,
          "admit:" + ip.getHostAddress(),
          "Refusing tunnel connection from {}: {}",
          ch.remoteAddress(),
          refusal);
      ch.close();
      return false;
    }
    ch.attr(PENDING).set(ip);
    ch.closeFuture().addListener(f -> release(ch));
    return true;
  }

  private String refusal(InetAddress ip) {
    Source s = source(ip);
    long now = clock.getAsLong();
    if (s.failures > 0 && now - s.penaltyUntil < 0) {
      return "auth penalty after "
          + s.failures
          + " failed authentications (refused for another "
          + TimeUnit.NANOSECONDS.toMillis(s.penaltyUntil - now)
          + " ms; auth_penalty_max="
          + limits.authPenaltyMax().toSeconds()
          + "s)";
    }
    double elapsed = (now - s.refilledAt) / 1e9;
    s.tokens = Math.min(limits.connectionBurst(), s.tokens + elapsed * limits.connectionRate());
    s.refilledAt = now;
    if (s.tokens < 1) {
      return "limit connection_rate="
          + limits.connectionRate()
          + "/s (connection_burst="
          + limits.connectionBurst()
          + ") exceeded";
    }
    if (unauthenticated >= limits.maxUnauthenticated()) {
      return "limit max_unauthenticated=" + limits.maxUnauthenticated() + " reached";
    }
    if (s.unauthenticated >= limits.maxUnauthenticatedPerIp()) {
      return "limit max_unauthenticated_per_ip=" + limits.maxUnauthenticatedPerIp() + " reached";
    }
    s.tokens -= 1;
    return null;
  }

  private Source source(InetAddress ip) {
    return sources.computeIfAbsent(
        ip,
        k -> {
          Source s = new Source();
          s.tokens = limits.connectionBurst();
          s.refilledAt = clock.getAsLong();
          s.penaltyUntil = s.refilledAt;
          return s;
        });
  }

  /** The connection authenticated: no longer counted, and its source's failures are forgiven. */
  void authenticated(Channel ch) {
    release(ch);
    InetAddress ip = address(ch);
    synchronized (this) {
      Source s = sources.get(ip);
      if (s != null) {
        s.failures = 0;
      }
    }
  }

  /**
   * The connection presented a wrong key: its source is refused for a penalty doubling with each
   * consecutive failure.
   *
   * @return the penalty, in milliseconds
   */
  long authFailed(Channel ch) {
    InetAddress ip = address(ch);
    synchronized (this) {
      Source s = source(ip);
      s.failures++;
      long max = limits.authPenaltyMax().toNanos();
      long penalty = s.failures > 40 ? max : Math.min(max, FIRST_PENALTY_NANOS << (s.failures - 1));
      s.penaltyUntil = clock.getAsLong() + penalty;
      return TimeUnit.NANOSECONDS.toMillis(penalty);
    }
  }

  private void release(Channel ch) {
    InetAddress ip = ch.attr(PENDING).getAndSet(null);
    if (ip == null) {
      return;
    }
    synchronized (this) {
      unauthenticated--;
      Source s = sources.get(ip);
      if (s != null && s.unauthenticated > 0) {
        s.unauthenticated--;
      }
    }
  }

  synchronized int unauthenticated() {
    return unauthenticated;
  }

  synchronized long rejected() {
    return rejected;
  }

  /** The source address; channels without one (embedded, in tests) share the loopback's. */
  private static InetAddress address(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress()
        : InetAddress.getLoopbackAddress();
  }
}
