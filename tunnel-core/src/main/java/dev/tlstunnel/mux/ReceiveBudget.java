package dev.tlstunnel.mux;

/**
 * The receive memory of one session: how far its streams' windows grew beyond the initial 256 KiB
 * in all (capped at {@link YamuxConfig#maxSessionWindow()}), and the bytes received that no stream
 * pipeline has read yet. Changed on the event loop only; the totals may be read from any thread.
 */
final class ReceiveBudget {
  private final long limit;
  // Single writer (the event loop); volatile so that snapshots on other threads see the totals.
  private volatile long granted;
  private volatile long buffered;

  ReceiveBudget(long limit) {
    this.limit = limit;
  }

  /** Grants up to {@code wanted} bytes of window growth; less, or 0, once the budget runs out. */
  int take(int wanted) {
    long n = Math.max(0, Math.min(wanted, limit - granted));
    granted += n;
    return (int) n;
  }

  /** A stream closed: its growth goes back to the budget. */
  void release(long growth) {
    granted -= growth;
  }

  void addBuffered(long delta) {
    buffered += delta;
  }

  /** Window growth granted beyond the initial window, over all open streams. */
  long granted() {
    return granted;
  }

  /** Bytes received and not yet read by the streams' pipelines. */
  long buffered() {
    return buffered;
  }
}
