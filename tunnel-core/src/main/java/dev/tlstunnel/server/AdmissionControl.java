package dev.tlstunnel.server;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.server.SourceTable.Source;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any TLS work, whether a new tunnel connection may proceed: a token bucket of new
 * connections per source address, caps on connections not yet authenticated (over all sources and
 * per source), and a penalty after failed authentications (refused for 1 s, doubling per
 * consecutive failure up to {@link Limits#authPenaltyMax()}, reset by a success). State is per
 * server and bounded: at most {@link #MAX_SOURCES} addresses are remembered, and an address with a
 * penalty is forgotten only after every address without one ({@link SourceTable}). Thread-safe.
 */
final class AdmissionControl {
  private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

  /** Most source addresses remembered (see {@link SourceTable} for which are forgotten first). */
  static final int MAX_SOURCES = 65_536;

  private static final long FIRST_PENALTY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final AttributeKey<InetAddress> PENDING =
      AttributeKey.valueOf("tls-tunnel.unauthenticated");

  private final Limits limits;
  private final RateLimitedLog logs;
  private final LongSupplier clock;
  private final SourceTable sources;
  private int unauthenticated;
  private long rejected;

  AdmissionControl(Limits limits, RateLimitedLog logs, LongSupplier clock) {
    this(limits, logs, clock, MAX_SOURCES);
  }

  AdmissionControl(Limits limits, RateLimitedLog logs, LongSupplier clock, int maxSources) {
    this.limits = limits;
    this.logs = logs;
    this.clock = clock;
    this.sources = new SourceTable(maxSources);
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
        Source s = source(ip);
        s.unauthenticated++;
        sources.refile(ip, s);
      } else {
        rejected++;
      }
    }
    if (refusal != null) {
      logs.warn(
          log,
          "admit:" + ip.getHostAddress(),
          "Refusing tunnel connection from {}: {}",
          PeerAddress.of(ch),
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
    return sources.getOrCreate(
        ip,
        () -> {
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
        sources.refile(ip, s);
      }
    }
  }

  /**
   * The connection presented a wrong key (or a visitor proof that failed): its source is refused
   * for a penalty doubling with each consecutive failure.
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
      sources.refile(ip, s);
      return TimeUnit.NANOSECONDS.toMillis(penalty);
    }
  }

  /**
   * How long the source of {@code ch} is still refused after failed authentications or visitor
   * proofs, in milliseconds; 0 when it is not.
   */
  long penaltyLeftMillis(Channel ch) {
    InetAddress ip = address(ch);
    synchronized (this) {
      Source s = sources.get(ip);
      long left = s == null || s.failures == 0 ? 0 : s.penaltyUntil - clock.getAsLong();
      return left > 0 ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)) : 0;
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
        sources.refile(ip, s);
      }
    }
  }

  synchronized int unauthenticated() {
    return unauthenticated;
  }

  synchronized long rejected() {
    return rejected;
  }

  /** Source addresses remembered right now. */
  synchronized int sources() {
    return sources.size();
  }

  /** Of those, the ones guarded from being forgotten first ({@link SourceTable}). */
  synchronized int guardedSources() {
    return sources.guardedCount();
  }

  /** The source address; channels without one (embedded, in tests) share the loopback's. */
  private static InetAddress address(Channel ch) {
    return PeerAddress.of(ch) instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress()
        : InetAddress.getLoopbackAddress();
  }
}
