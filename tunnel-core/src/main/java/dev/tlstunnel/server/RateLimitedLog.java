package dev.tlstunnel.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Keeps strangers from flooding the log: at most one WARN line per key (a source address, a bound)
 * per interval; the next line written for that key says how many were suppressed. Remembers at most
 * {@code maxKeys} keys (least recently used forgotten first). One per server; thread-safe.
 */
final class RateLimitedLog {
  /** The default interval between two lines of one key: 10 seconds. */
  static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final long intervalNanos;
  private final LongSupplier clock;
  private final Map<String, long[]> lastByKey;
  private long suppressed;

  RateLimitedLog(long intervalNanos, int maxKeys, LongSupplier clock) {
    this.intervalNanos = intervalNanos;
    this.clock = clock;
    this.lastByKey =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > maxKeys;
          }
        };
  }

  /**
   * Logs {@code format} at WARN unless a line with this key was logged within the interval; then it
   * only counts the line. A line logged after suppressed ones ends with their number.
   */
  void warn(Logger log, String key, String format, Object... args) {
    long skipped;
    synchronized (this) {
      long now = clock.getAsLong();
      long[] state = lastByKey.get(key);
      if (state != null && now - state[0] < intervalNanos) {
        state[1]++;
        suppressed++;
        return;
      }
      skipped = state == null ? 0 : state[1];
      lastByKey.put(key, new long[] {now, 0});
    }
    if (skipped == 0) {
      log.warn(format, args);
    } else {
      Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
      withCount[args.length] = skipped;
      log.warn(format + " ({} similar lines suppressed)", withCount);
    }
  }

  /** Lines suppressed so far. */
  synchronized long suppressed() {
    return suppressed;
  }
}
