package dev.tlstunnel.mux;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Promise;

/**
 * Pings of one session and the round-trip time they measure. Outstanding pings are keyed by the
 * opaque id carried in the length field. Every answer (keepalive pings, {@link
 * YamuxMultiplexHandler#ping()}, probes) updates a smoothed round-trip time; when window growth
 * asks for it and the last answer is older than {@link #PROBE_INTERVAL_NANOS}, a probe ping
 * refreshes it, so the time is measured on the live session (no ping is sent before there is data
 * to size windows for: one sent while TLS and authentication are still under way would measure
 * them, not the link). Event loop only.
 */
final class Pings {
  static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;

  private final SessionWriter writer;
  private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
  private int nextId;
  // Written on the event loop; read from any thread for snapshots.
  private volatile long srttNanos;
  private long lastSampleNanos;
  private boolean probing;

  /** A ping waiting for its answer; {@code promise} is null for a probe. */
  private record Pending(Promise<Long> promise, long sentNanos) {}

  Pings(SessionWriter writer) {
    this.writer = writer;
  }

  /** Sends a ping; {@code promise} completes with its round-trip time in nanoseconds. */
  void send(Promise<Long> promise) {
    int id = nextId++;
    pending.put(id, new Pending(promise, System.nanoTime()));
    writer.writeAndFlush(YamuxFrame.ping(YamuxFrame.FLAG_SYN, id));
  }

  /** Completes the ping answered by an ACK and updates the round-trip time. */
  void onAck(int id) {
    Pending p = pending.remove(id);
    if (p == null) {
      return;
    }
    long now = System.nanoTime();
    long rtt = Math.max(now - p.sentNanos(), 1);
    // Smoothed like TCP's SRTT, with a larger gain: the time follows the load within a few samples.
    srttNanos = srttNanos == 0 ? rtt : Math.max(srttNanos + (rtt - srttNanos) / 4, 1);
    lastSampleNanos = now;
    if (p.promise() == null) {
      probing = false;
    } else {
      p.promise().trySuccess(rtt);
    }
  }

  /**
   * The smoothed round-trip time in nanoseconds, or 0 before the first answer. Sends a probe ping
   * when there is no recent measurement and no probe is outstanding.
   */
  long rttNanos(long nowNanos) {
    if (!probing && (srttNanos == 0 || nowNanos - lastSampleNanos > PROBE_INTERVAL_NANOS)) {
      probing = true;
      send(null);
    }
    return srttNanos;
  }

  /** The smoothed round-trip time in nanoseconds, or 0 before the first answer. */
  long rttNanos() {
    return srttNanos;
  }

  void failAll(Throwable cause) {
    for (Pending p : pending.values()) {
      if (p.promise() != null) {
        p.promise().tryFailure(cause);
      }
    }
    pending.clear();
  }
}
