package dev.tlstunnel.common;

import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The wall clock of a tunnel whose timers follow a Netty {@link Ticker}: the system clock for the
 * system ticker; for any other ticker (a test's {@code MockTicker}), the instant the tunnel started
 * plus the ticker's elapsed time, so that timestamps and timers agree.
 */
public final class TickerClock extends Clock {
  private final Ticker ticker;
  private final Instant base;
  private final long baseNanos;

  private TickerClock(Ticker ticker, Instant base) {
    this.ticker = ticker;
    this.base = base;
    this.baseNanos = ticker.nanoTime();
  }

  /** The clock that goes with {@code ticker}. */
  public static Clock of(Ticker ticker) {
    if (ticker == null || ticker == Ticker.systemTicker()) {
      return Clock.systemUTC();
    }
    return new TickerClock(ticker, Instant.now());
  }

  @Override
  public Instant instant() {
    return base.plusNanos(ticker.nanoTime() - baseNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a tunnel's clock is in UTC");
  }
}
