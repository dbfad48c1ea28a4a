package dev.tlstunnel.mux;

/**
 * Receive-side flow control of one stream.
 *
 * <p>The peer may send {@link #credit()} more bytes. Bytes the application consumed are counted;
 * once they reach half the current window they are returned to the peer in a window update.
 *
 * <p>Growth: the window doubles (up to the stream's maximum, and only as far as the session's
 * {@link ReceiveBudget} allows) when the last measurement epoch shows that the window, not the
 * reader, limits the transfer: a whole window was consumed within {@value #GROWTH_RTTS} round
 * trips, and the reader never paused in between (a reader pauses when its own output backs up, e.g.
 * a relay whose peer socket is not writable). An epoch starts at a window update and ends once a
 * whole window was consumed or {@value #GROWTH_RTTS} round trips passed. Without a round-trip
 * measurement the window does not grow. A slow or stalled reader therefore keeps its window, and a
 * reader that keeps pace with a window-limited sender grows it towards the bandwidth-delay product.
 */
final class ReceiveWindow {
  static final int GROWTH_RTTS = 2;

  private final int maxWindow;
  private final ReceiveBudget budget;
  private int window = YamuxConfig.INITIAL_WINDOW;
  private long credit = YamuxConfig.INITIAL_WINDOW;
  private int consumed;
  private long epochStartNanos;
  private long epochConsumed;
  private boolean epochPaused;

  ReceiveWindow(int maxWindow, ReceiveBudget budget, long nowNanos) {
    this.maxWindow = Math.max(maxWindow, YamuxConfig.INITIAL_WINDOW);
    this.budget = budget;
    this.epochStartNanos = nowNanos;
  }

  /** Accounts {@code bytes} received; false if the peer exceeded the window it was given. */
  boolean onReceived(int bytes) {
    if (bytes > credit) {
      return false;
    }
    credit -= bytes;
    return true;
  }

  /**
   * Accounts {@code bytes} the application consumed; true if a window update is due ({@link
   * #takeUpdate}).
   */
  boolean onConsumed(int bytes) {
    consumed += bytes;
    return consumed >= window / 2;
  }

  /** The reader stopped asking for data: the current epoch no longer counts for growth. */
  void onReaderPaused() {
    epochPaused = true;
  }

  /**
   * Returns the consumed bytes, plus any growth, as the window delta to send to the peer.
   *
   * @param rttNanos the session's round-trip time, or 0 if unknown
   */
  int takeUpdate(long nowNanos, long rttNanos) {
    epochConsumed += consumed;
    long elapsed = nowNanos - epochStartNanos;
    boolean epochOver = rttNanos <= 0 || elapsed > GROWTH_RTTS * rttNanos;
    int grow = 0;
    if (epochConsumed >= window) {
      if (!epochOver && !epochPaused && window < maxWindow) {
        grow = budget.take(Math.min(window, maxWindow - window));
      }
      epochOver = true;
    }
    if (epochOver) {
      epochStartNanos = nowNanos;
      epochConsumed = 0;
      epochPaused = false;
    }
    int delta = consumed + grow;
    window += grow;
    credit += delta;
    consumed = 0;
    return delta;
  }

  /** The stream closed: its growth goes back to the session's budget. */
  void release() {
    budget.release(window - YamuxConfig.INITIAL_WINDOW);
    window = YamuxConfig.INITIAL_WINDOW;
  }

  int window() {
    return window;
  }

  long credit() {
    return credit;
  }
}
