package dev.tlstunnel.metrics;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of durations with fixed bucket bounds in seconds, as Prometheus reads them: counts
 * per bucket (cumulative in {@link #cumulativeCounts()}), their number and their sum. Observing
 * adds to two adders; nothing is allocated.
 */
public final class Histogram {
  /** Bounds for connection durations: 10 ms to 1 h. */
  public static final double[] CONNECTION_SECONDS = {
    0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600
  };

  /** Bounds for dial times: 0.5 ms to 10 s. */
  public static final double[] DIAL_SECONDS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10
  };

  private final double[] bounds;
  private final long[] boundNanos;
  private final LongAdder[] counts;
  private final LongAdder sumNanos = new LongAdder();

  public Histogram(double[] boundsSeconds) {
    this.bounds = boundsSeconds.clone();
    this.boundNanos = new long[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      boundNanos[i] = Math.round(bounds[i] * 1e9);
    }
    this.counts = new LongAdder[bounds.length + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Counts one duration, in nanoseconds. */
  public void observeNanos(long nanos) {
    int i = Arrays.binarySearch(boundNanos, nanos);
    counts[i >= 0 ? i : -i - 1].increment();
    sumNanos.add(nanos);
  }

  /** The upper bounds in seconds, without {@code +Inf}. */
  public double[] bounds() {
    return bounds.clone();
  }

  /** For each bound and then {@code +Inf}: how many observations were at most that. */
  public long[] cumulativeCounts() {
    long[] out = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i].sum();
      out[i] = running;
    }
    return out;
  }

  /** How many were observed. */
  public long count() {
    long n = 0;
    for (LongAdder c : counts) {
      n += c.sum();
    }
    return n;
  }

  /** Their sum in seconds. */
  public double sumSeconds() {
    return sumNanos.sum() / 1e9;
  }
}
