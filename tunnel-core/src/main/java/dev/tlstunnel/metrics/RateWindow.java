package dev.tlstunnel.metrics;

/**
 * Rates of one cumulative counter over the last 1, 10 and 60 seconds, from samples taken once a
 * second (by the owner's ticker, not on the hot path). Before a window has filled, the rate is over
 * the seconds sampled so far.
 */
public final class RateWindow {
  /** The longest window, in seconds. */
  public static final int MAX_SECONDS = 60;

  private final long[] samples = new long[MAX_SECONDS + 1];
  private int head;
  private int count;

  /** Records the counter's total now; called once a second. */
  public synchronized void sample(long total) {
    head = (head + 1) % samples.length;
    samples[head] = total;
    count = Math.min(count + 1, samples.length);
  }

  /** The mean rate per second over the last {@code seconds} (1 to 60), 0 before two samples. */
  public synchronized double perSecond(int seconds) {
    int span = Math.min(seconds, count - 1);
    if (span <= 0) {
      return 0;
    }
    int then = Math.floorMod(head - span, samples.length);
    return (samples[head] - samples[then]) / (double) span;
  }
}
