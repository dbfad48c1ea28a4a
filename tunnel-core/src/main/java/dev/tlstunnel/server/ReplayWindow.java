package dev.tlstunnel.server;

import java.util.Arrays;

/**
 * Accepts each sequence number once: numbers above the highest seen so far, and unseen ones among
 * the {@value #SIZE} below it (visit streams may be answered out of order). Older numbers are
 * refused. A fixed-size bitmap, like the anti-replay window of IPsec. Not thread-safe.
 */
final class ReplayWindow {
  /** How far below the highest number a late one is still accepted. */
  static final int SIZE = 1024;

  private final long[] seen = new long[SIZE / 64];
  private long highest;

  /** Whether {@code seq} (from 1) is new; if so it is remembered as used. */
  boolean accept(long seq) {
    if (seq <= 0 || seq <= highest - SIZE) {
      return false;
    }
    if (seq > highest) {
      if (seq - highest >= SIZE) {
        Arrays.fill(seen, 0);
      } else {
        for (long n = highest + 1; n <= seq; n++) {
          clear(n);
        }
      }
      highest = seq;
      set(seq);
      return true;
    }
    if (isSet(seq)) {
      return false;
    }
    set(seq);
    return true;
  }

  private int bit(long seq) {
    return (int) Math.floorMod(seq, (long) SIZE);
  }

  private boolean isSet(long seq) {
    int b = bit(seq);
    return (seen[b >>> 6] & (1L << (b & 63))) != 0;
  }

  private void set(long seq) {
    int b = bit(seq);
    seen[b >>> 6] |= 1L << (b & 63);
  }

  private void clear(long seq) {
    int b = bit(seq);
    seen[b >>> 6] &= ~(1L << (b & 63));
  }
}
