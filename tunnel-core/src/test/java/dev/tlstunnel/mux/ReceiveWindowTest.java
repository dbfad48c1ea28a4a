package dev.tlstunnel.mux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The growth rule and the session budget of receive windows, on a made-up clock. */
class ReceiveWindowTest {
  private static final int W = YamuxConfig.INITIAL_WINDOW;
  private static final int MAX = 8 * W;
  private static final long MS = 1_000_000L;
  private static final long RTT = 10 * MS;

  private final ReceiveBudget budget = new ReceiveBudget(64L * W);

  /** Receives and consumes {@code bytes} at {@code now}; returns the update sent, or 0. */
  private static int consume(ReceiveWindow w, int bytes, long now, long rtt) {
    assertThat(w.onReceived(bytes)).isTrue();
    return w.onConsumed(bytes) ? w.takeUpdate(now, rtt) : 0;
  }

  @Test
  void doublesWhenAWholeWindowIsConsumedWithinTwoRoundTrips() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    assertThat(consume(w, W / 2, MS, RTT)).isEqualTo(W / 2);
    assertThat(w.window()).isEqualTo(W);
    assertThat(consume(w, W / 2, 2 * MS, RTT)).as("consumed plus growth").isEqualTo(W / 2 + W);
    assertThat(w.window()).isEqualTo(2 * W);
    assertThat(w.credit()).isEqualTo(2 * W);
    assertThat(budget.granted()).isEqualTo(W);
  }

  @Test
  void growsUpToTheStreamMaximumAndNoFurther() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    long now = 0;
    for (int i = 0; i < 40; i++) {
      now += MS;
      consume(w, w.window() / 2, now, RTT);
    }
    assertThat(w.window()).isEqualTo(MAX);
    assertThat(budget.granted()).isEqualTo(MAX - W);
  }

  @Test
  void doesNotGrowWithoutARoundTripTime() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    for (int i = 1; i <= 10; i++) {
      consume(w, W / 2, i * MS, 0);
    }
    assertThat(w.window()).isEqualTo(W);
  }

  @Test
  void doesNotGrowForAReaderSlowerThanAWindowPerTwoRoundTrips() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    long now = 0;
    for (int i = 0; i < 20; i++) {
      now += 11 * MS; // half a window per 1.1 round trips: a window takes 2.2
      assertThat(consume(w, W / 2, now, RTT)).isEqualTo(W / 2);
    }
    assertThat(w.window()).isEqualTo(W);
    assertThat(budget.granted()).isZero();
  }

  @Test
  void doesNotGrowInAnEpochInWhichTheReaderPaused() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    consume(w, W / 2, MS, RTT);
    w.onReaderPaused();
    consume(w, W / 2, 2 * MS, RTT);
    assertThat(w.window()).as("the paused epoch ended without growth").isEqualTo(W);
    consume(w, W / 2, 3 * MS, RTT);
    consume(w, W / 2, 4 * MS, RTT);
    assertThat(w.window()).as("the next epoch, without a pause, grows").isEqualTo(2 * W);
  }

  @Test
  void growthStopsAtTheSessionBudgetAndTheStreamsKeepTheirWindows() {
    ReceiveBudget small = new ReceiveBudget(W + W / 2);
    ReceiveWindow a = new ReceiveWindow(MAX, small, 0);
    ReceiveWindow b = new ReceiveWindow(MAX, small, 0);
    consume(a, W / 2, MS, RTT);
    consume(a, W / 2, 2 * MS, RTT);
    assertThat(a.window()).isEqualTo(2 * W);
    consume(b, W / 2, MS, RTT);
    consume(b, W / 2, 2 * MS, RTT);
    assertThat(b.window()).as("the rest of the budget").isEqualTo(W + W / 2);
    assertThat(small.granted()).isEqualTo(W + W / 2);
    long now = 2 * MS;
    for (int i = 0; i < 10; i++) {
      now += MS;
      assertThat(consume(a, a.window() / 2, now, RTT)).isIn(0, a.window() / 2);
      assertThat(consume(b, b.window() / 2, now, RTT)).isIn(0, b.window() / 2);
    }
    assertThat(a.window()).isEqualTo(2 * W);
    assertThat(b.window()).isEqualTo(W + W / 2);
    a.release();
    assertThat(small.granted()).as("a closed stream returns its growth").isEqualTo(W / 2);
    consume(b, b.window() / 2, now + MS, RTT);
    consume(b, b.window() / 2, now + 2 * MS, RTT);
    assertThat(b.window()).isEqualTo(2 * W + W / 2);
  }

  @Test
  void aPeerSendingBeyondItsCreditIsCaught() {
    ReceiveWindow w = new ReceiveWindow(MAX, budget, 0);
    assertThat(w.onReceived(W)).isTrue();
    assertThat(w.onReceived(1)).isFalse();
  }
}
