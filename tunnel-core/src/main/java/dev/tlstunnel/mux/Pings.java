package dev.tlstunnel.mux;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.Promise;

/** Outstanding pings of one session, keyed by the opaque id carried in the length field. */
final class Pings {
  private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
  private int nextId;

  private record Pending(Promise<Long> promise, long sentNanos) {}

  /** Registers a ping sent now; returns its id. */
  int add(Promise<Long> promise) {
    int id = nextId++;
    pending.put(id, new Pending(promise, System.nanoTime()));
    return id;
  }

  /** Completes the ping answered by an ACK; returns its RTT in nanoseconds, or -1 if unknown. */
  long complete(int id) {
    Pending p = pending.remove(id);
    if (p == null) {
      return -1;
    }
    long rtt = System.nanoTime() - p.sentNanos();
    p.promise().trySuccess(rtt);
    return rtt;
  }

  void failAll(Throwable cause) {
    for (Pending p : pending.values()) {
      p.promise().tryFailure(cause);
    }
    pending.clear();
  }
}
