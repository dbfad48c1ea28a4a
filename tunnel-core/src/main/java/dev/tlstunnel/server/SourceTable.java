package dev.tlstunnel.server;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What admission control remembers per source address, bounded to {@code capacity} addresses.
 *
 * <p>A source is <em>guarded</em> while it has failed authentications not yet forgiven by a success
 * (its penalty, and the doubling of the next one, must outlive a flood of other addresses) or
 * connections not yet authenticated (its per-address count must stay right). When the table is
 * full, the least recently seen unguarded source is forgotten first; only when every remembered
 * source is guarded is the least recently seen guarded one forgotten, penalty and all. Not
 * thread-safe: {@link AdmissionControl} holds its lock around every call.
 */
final class SourceTable {
  /** The state of one source address. */
  static final class Source {
    double tokens;
    long refilledAt;
    int unauthenticated;
    int failures;
    long penaltyUntil;
    private boolean inGuarded;

    boolean guarded() {
      return failures > 0 || unauthenticated > 0;
    }
  }

  private final int capacity;
  private final Map<InetAddress, Source> unguarded = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<InetAddress, Source> guarded = new LinkedHashMap<>(64, 0.75f, true);

  SourceTable(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: must be positive, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** The source's state, or null; counts as seeing it. */
  Source get(InetAddress ip) {
    Source s = guarded.get(ip);
    return s != null ? s : unguarded.get(ip);
  }

  /** The source's state, created (forgetting another source if the table is full) if absent. */
  Source getOrCreate(InetAddress ip, Supplier<Source> create) {
    Source s = get(ip);
    if (s != null) {
      return s;
    }
    if (size() >= capacity) {
      forgetOne();
    }
    s = create.get();
    unguarded.put(ip, s);
    return s;
  }

  /** Moves the source to the map its state calls for; call after changing what guards it. */
  void refile(InetAddress ip, Source s) {
    if (s.guarded() == s.inGuarded) {
      return;
    }
    if (s.inGuarded) {
      guarded.remove(ip);
      unguarded.put(ip, s);
    } else {
      unguarded.remove(ip);
      guarded.put(ip, s);
    }
    s.inGuarded = !s.inGuarded;
  }

  int size() {
    return unguarded.size() + guarded.size();
  }

  /** Sources guarded right now. */
  int guardedCount() {
    return guarded.size();
  }

  private void forgetOne() {
    Map<InetAddress, Source> from = unguarded.isEmpty() ? guarded : unguarded;
    Iterator<Map.Entry<InetAddress, Source>> eldest = from.entrySet().iterator();
    eldest.next();
    eldest.remove();
  }
}
