package dev.tlstunnel.testing;

import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Real NIO event loops whose timers follow a {@link MockTicker} instead of the clock: sockets work
 * as usual, but a scheduled task runs only once {@link #advance} has moved the fake time past it.
 * Give {@link #group()} to a server's or client's builder to run a tunnel on fake time.
 */
public final class FakeTime implements AutoCloseable {
  /** How long a loop sleeps at most before it looks at the fake time again. */
  private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final EventLoopGroup group;

  public FakeTime(int threads) {
    this.group = newGroup(threads, ticker);
  }

  private static EventLoopGroup newGroup(int threads, MockTicker ticker) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory("fake-time", true), NioIoHandler.newFactory()) {
      @Override
      protected IoEventLoop newChild(
          Executor executor, IoHandlerFactory ioHandlerFactory, Object... args) {
        return new SingleThreadIoEventLoop(this, executor, ioHandlerFactory) {
          @Override
          public Ticker ticker() {
            return ticker;
          }

          // NIO asks how long to sleep passing System.nanoTime(), which fake deadlines cannot be
          // compared with: measure against the fake time, and wake up often to see it move.
          @Override
          protected long delayNanos(long currentTimeNanos) {
            long due = super.delayNanos(ticker.nanoTime());
            return Math.max(0, Math.min(due, MAX_SLEEP_NANOS));
          }
        };
      }
    };
  }

  /** The event loops. */
  public EventLoopGroup group() {
    return group;
  }

  /** The fake time, in nanoseconds. */
  public long nanoTime() {
    return ticker.nanoTime();
  }

  /** Moves the fake time forward; timers now due run within a few milliseconds. */
  public void advance(Duration by) {
    ticker.advance(by.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Shuts the loops down; the fake time jumps ahead so that their quiet period passes. */
  @Override
  public void close() {
    var terminated = Transport.shutdown(group, 5);
    ticker.advance(1, TimeUnit.HOURS);
    terminated.awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
