package dev.tlstunnel.mux;

/**
 * Receive-side flow control of one stream.
 *
 * <p>The peer may send {@link #credit()} more bytes. Bytes the application consumed are counted;
 * once they reach half the current window they are returned to the peer in a window update.
 *
 * <p>Growth heuristic: if the previous update was sent less than four round trips ago (so the
 * application drained half a window faster than the link can refill it and the sender is limited by
 * the window, not by the reader), the window doubles, up to the configured maximum. A slow reader
 * never grows its window because its updates are spaced by its own pace.
 */
final class ReceiveWindow {
  private final int maxWindow;
  private int window = YamuxConfig.INITIAL_WINDOW;
  private long credit = YamuxConfig.INITIAL_WINDOW;
  private int consumed;
  private long lastUpdateNanos;

  ReceiveWindow(int maxWindow, long nowNanos) {
    this.maxWindow = Math.max(maxWindow, YamuxConfig.INITIAL_WINDOW);
    this.lastUpdateNanos = nowNanos;
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

  /** Returns the consumed bytes, plus any growth, as the window delta to send to the peer. */
  int takeUpdate(long nowNanos, long rttNanos) {
    int grow = 0;
    if (window < maxWindow && nowNanos - lastUpdateNanos < 4 * rttNanos) {
      grow = Math.min(window, maxWindow - window);
    }
    int delta = consumed + grow;
    window += grow;
    credit += delta;
    consumed = 0;
    lastUpdateNanos = nowNanos;
    return delta;
  }

  int window() {
    return window;
  }

  long credit() {
    return credit;
  }
}
