package dev.tlstunnel.mux;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Promise;

/**
 * Pings of one session and the round-trip time they measure. Outstanding pings are keyed by the
 * opaque id carried in the length field. Event loop only.
 */
final class Pings {
  private static final long UNKNOWN_RTT_NANOS = 1_000_000L;

  private final SessionWriter writer;
  private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
  private int nextId;
  private long rttNanos = UNKNOWN_RTT_NANOS;
  private boolean probed;

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

  /** True the first time only: the session then sends a ping to learn the round-trip time. */
  boolean firstProbe() {
    if (probed) {
      return false;
    }
    probed = true;
    return true;
  }

  /** Completes the ping answered by an ACK and updates the round-trip time. */
  void onAck(int id) {
    Pending p = pending.remove(id);
    if (p == null) {
      return;
    }
    long rtt = System.nanoTime() - p.sentNanos();
    rttNanos = Math.max(rtt, 1);
    p.promise().trySuccess(rtt);
  }

  /** The last measured round-trip time, or 1 ms before the first answer. */
  long rttNanos() {
    return rttNanos;
  }

  void failAll(Throwable cause) {
    for (Pending p : pending.values()) {
      p.promise().tryFailure(cause);
    }
    pending.clear();
  }
}
