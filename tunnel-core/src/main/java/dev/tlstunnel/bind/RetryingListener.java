package dev.tlstunnel.bind;

import dev.tlstunnel.config.BindRetryPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One listening socket that binds on its own and, when the bind fails, retries on event-loop timers
 * with exponential backoff until it binds or the policy gives up (DESIGN §4). Every change of state
 * is logged once, under the owner's logger and name ({@code Proxy 'web'}, {@code Visitor 'ssh'}),
 * and reported to the change sink. Used for published ports and for visitors' local listeners.
 * Confined to its event loop; the getters may be read from any thread.
 */
public final class RetryingListener {

  /** Binds a listening socket; the future completes with the bound server channel. */
  public interface Binder {
    ChannelFuture bind(InetSocketAddress address);
  }

  /** The state of a listener, with the wire and status names of DESIGN §4. */
  public enum State {
    /** Listening. */
    HEALTHY("healthy"),
    /** The last bind failed; a retry is scheduled. */
    UNHEALTHY("unhealthy"),
    /** Gave up after the last retry. */
    BIND_FAILED("bind_failed");

    private final String wireName;

    State(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /**
   * Who owns the listener, for its log lines and diagnostics.
   *
   * @param log the owner's logger
   * @param subject starts every line, e.g. {@code Proxy 'web'}
   * @param listener names the listener in the catch-all diagnosis, e.g. {@code proxy listener}
   */
  public record Owner(Logger log, String subject, String listener) {}

  /**
   * One change of state.
   *
   * @param state the new state
   * @param error the diagnosed bind failure, when not healthy
   * @param retryAfter the wait before the next attempt, when unhealthy
   * @param attempt the attempt that just failed or succeeded, 1 = the first
   * @param maxRetries retries allowed after the first attempt, -1 for no limit
   * @param port the bound port when healthy (the real one if 0 was asked for), else the asked one
   */
  public record Change(
      State state, String error, Duration retryAfter, int attempt, int maxRetries, int port) {}

  private final Owner owner;
  private final String addr;
  private final int port;
  private final BindRetryPolicy policy;
  private final EventLoop loop;
  private final Binder binder;
  private final Consumer<Change> sink;

  private volatile State state;
  private volatile Channel serverChannel;
  private volatile ScheduledFuture<?> retryTimer;
  private boolean closed;

  public RetryingListener(
      Owner owner,
      String addr,
      int port,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Consumer<Change> sink) {
    this.owner = owner;
    this.addr = addr;
    this.port = port;
    this.policy = policy;
    this.loop = loop;
    this.binder = binder;
    this.sink = sink;
  }

  /** Makes the first attempt. */
  public void start() {
    loop.execute(() -> attempt(1));
  }

  private void attempt(int attempt) {
    retryTimer = null;
    if (closed) {
      return;
    }
    ChannelFuture future;
    try {
      future = binder.bind(new InetSocketAddress(addr, port));
    } catch (RuntimeException e) {
      onBindFailed(attempt, e);
      return;
    }
    future.addListener(
        f -> {
          if (f.isSuccess()) {
            onBound(attempt, future.channel());
          } else {
            onBindFailed(attempt, f.cause());
          }
        });
  }

  private void onBound(int attempt, Channel channel) {
    if (closed) {
      channel.close();
      return;
    }
    serverChannel = channel;
    state = State.HEALTHY;
    int bound = channel.localAddress() instanceof InetSocketAddress a ? a.getPort() : port;
    String where = BindDiagnostics.hostPort(addr, bound);
    if (attempt == 1) {
      owner.log().info("{} listening on {}", owner.subject(), where);
    } else {
      owner
          .log()
          .info("{} listening on {} (after {} retries)", owner.subject(), where, attempt - 1);
    }
    sink.accept(new Change(State.HEALTHY, null, null, attempt, policy.maxRetries(), bound));
  }

  private void onBindFailed(int attempt, Throwable cause) {
    if (closed) {
      return;
    }
    String message = BindDiagnostics.describe(owner.listener(), addr, port, cause);
    int retriesDone = attempt - 1;
    if (policy.allowsRetry(retriesDone)) {
      Duration delay = policy.delayBeforeRetry(attempt);
      state = State.UNHEALTHY;
      owner
          .log()
          .warn(
              "{} bind failed (attempt {}): {}. Retrying in {} seconds...",
              owner.subject(),
              attemptText(attempt),
              message,
              seconds(delay));
      retryTimer = loop.schedule(() -> attempt(attempt + 1), delay.toNanos(), TimeUnit.NANOSECONDS);
      sink.accept(new Change(State.UNHEALTHY, message, delay, attempt, policy.maxRetries(), port));
    } else {
      state = State.BIND_FAILED;
      owner
          .log()
          .error("{} bind failed after {} retries: {}", owner.subject(), retriesDone, message);
      sink.accept(new Change(State.BIND_FAILED, message, null, attempt, policy.maxRetries(), port));
    }
  }

  private String attemptText(int attempt) {
    return policy.unlimited() ? Integer.toString(attempt) : attempt + "/" + policy.maxRetries();
  }

  /** Seconds without a trailing {@code .0}: 2 s → "2", 250 ms → "0.25". */
  public static String seconds(Duration delay) {
    return BigDecimal.valueOf(delay.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /** Cancels a pending retry and closes the listener. Idempotent; runs on the event loop. */
  public void close() {
    if (!loop.inEventLoop()) {
      loop.execute(this::close);
      return;
    }
    closed = true;
    ScheduledFuture<?> timer = retryTimer;
    if (timer != null) {
      timer.cancel(false);
      retryTimer = null;
    }
    Channel channel = serverChannel;
    if (channel != null) {
      channel.close();
      serverChannel = null;
    }
  }

  /** The current state, or null before the first attempt completed. */
  public State state() {
    return state;
  }

  /** Whether a retry is scheduled. */
  public boolean retryPending() {
    ScheduledFuture<?> timer = retryTimer;
    return timer != null && !timer.isDone();
  }

  /** The bound listening address, or null when not listening. */
  public InetSocketAddress boundAddress() {
    Channel channel = serverChannel;
    return channel != null && channel.isOpen() ? (InetSocketAddress) channel.localAddress() : null;
  }
}
