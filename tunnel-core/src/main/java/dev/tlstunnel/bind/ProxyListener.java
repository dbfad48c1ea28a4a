package dev.tlstunnel.bind;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.common.BindErrors;
import dev.tlstunnel.common.Counts;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.BindRetryPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener that must bind on its own (a published port on the server, a forwarder's or a
 * visitor's local port on the client): when the bind fails it retries on event-loop timers with
 * exponential backoff until it binds or the policy gives up. Every change of state is logged once,
 * under its owner's logger, and reported to its {@link Observer}. Confined to its event loop.
 */
public final class ProxyListener {
  private final Logger log;
  private final String noun;

  /** Binds a listening socket; the future completes with the bound server channel. */
  public interface Binder {
    ChannelFuture bind(InetSocketAddress address);
  }

  /** Hears every change of state, on the listener's event loop, after it was logged. */
  public interface Observer {
    /** Listening on {@code address}, at attempt {@code attempt} (1 for the first). */
    void bound(ProxyListener proxy, int attempt, InetSocketAddress address);

    /** Attempt {@code attempt} failed; the next one runs after {@code delay}. */
    void retrying(
        ProxyListener proxy, int attempt, FailureKind cause, String message, Duration delay);

    /** Attempt {@code attempt} failed and it was the last: the proxy is {@code bind_failed}. */
    void gaveUp(ProxyListener proxy, int attempt, FailureKind cause, String message);
  }

  private final String name;
  private final String publishAddr;
  private final int publishPort;
  private final BindRetryPolicy policy;
  private final EventLoop loop;
  private final Binder binder;
  private final Observer observer;

  private volatile ProxyStatus status = ProxyStatus.PENDING;
  private volatile Channel serverChannel;
  private volatile ScheduledFuture<?> retryTimer;
  private boolean closed;

  /** A listener logging as {@code dev.tlstunnel.server.ProxyListener}, for published ports. */
  public ProxyListener(
      String name,
      String publishAddr,
      int publishPort,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Observer observer) {
    this(
        LoggerFactory.getLogger("dev.tlstunnel.server.ProxyListener"),
        "Proxy",
        name,
        publishAddr,
        publishPort,
        policy,
        loop,
        binder,
        observer);
  }

  /**
   * Like the other constructor, logging under {@code log} (the owner's logger) and calling itself
   * {@code noun} in its lines ({@code Forwarder 'web' bind failed ...}).
   */
  public ProxyListener(
      Logger log,
      String noun,
      String name,
      String publishAddr,
      int publishPort,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Observer observer) {
    this.log = log;
    this.noun = noun;
    this.name = name;
    this.publishAddr = publishAddr;
    this.publishPort = publishPort;
    this.policy = policy;
    this.loop = loop;
    this.binder = binder;
    this.observer = observer;
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
    InetSocketAddress address = new InetSocketAddress(publishAddr, publishPort);
    ChannelFuture future;
    try {
      future = binder.bind(address);
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
    status = ProxyStatus.HEALTHY;
    InetSocketAddress address =
        channel.localAddress() instanceof InetSocketAddress bound
            ? bound
            : new InetSocketAddress(publishAddr, publishPort);
    String where = Addresses.hostPort(publishAddr, address.getPort());
    if (attempt == 1) {
      log.info("{} '{}' listening on {}", noun, name, where);
    } else {
      log.info(
          "{} '{}' listening on {} (after {})", noun, name, where, Counts.retries(attempt - 1));
    }
    observer.bound(this, attempt, address);
  }

  private void onBindFailed(int attempt, Throwable cause) {
    if (closed) {
      return;
    }
    FailureKind kind = BindErrors.classify(cause);
    String message =
        BindErrors.describe(
            noun.toLowerCase(Locale.ROOT) + " listener", publishAddr, publishPort, cause);
    int retriesDone = attempt - 1;
    if (policy.allowsRetry(retriesDone)) {
      Duration delay = policy.delayBeforeRetry(attempt);
      String seconds = seconds(delay);
      status = ProxyStatus.UNHEALTHY;
      log.warn(
          "{} '{}' bind failed (attempt {}): {}. Retrying in {} seconds...",
          noun,
          name,
          attemptText(attempt),
          message,
          seconds);
      retryTimer = loop.schedule(() -> attempt(attempt + 1), delay.toNanos(), TimeUnit.NANOSECONDS);
      observer.retrying(this, attempt, kind, message, delay);
    } else {
      status = ProxyStatus.BIND_FAILED;
      log.error(
          "{} '{}' bind failed after {}: {}", noun, name, Counts.retries(retriesDone), message);
      observer.gaveUp(this, attempt, kind, message);
    }
  }

  private String attemptText(int attempt) {
    return policy.unlimited() ? Integer.toString(attempt) : attempt + "/" + policy.maxRetries();
  }

  /** Seconds without a trailing {@code .0}: 2 s → "2", 250 ms → "0.25". */
  public static String seconds(Duration delay) {
    return BigDecimal.valueOf(delay.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /**
   * Starts the bind schedule again from its first attempt, if the proxy gave up; on the event loop.
   *
   * @return null when it restarted, else why not (one line for the client)
   */
  public String restart() {
    if (closed) {
      return "proxy '" + name + "' is closed";
    }
    if (status == ProxyStatus.BIND_FAILED) {
      log.info("Proxy '{}' bind retries started again at the client's request", name);
      attempt(1);
      return null;
    }
    if (status == ProxyStatus.HEALTHY) {
      return "proxy '" + name + "' is healthy (listening): there is nothing to retry";
    }
    ScheduledFuture<?> timer = retryTimer;
    if (status == ProxyStatus.UNHEALTHY && timer != null) {
      long seconds = (timer.getDelay(TimeUnit.MILLISECONDS) + 999) / 1000;
      return "proxy '"
          + name
          + "' is retrying already (next attempt in "
          + Math.max(0, seconds)
          + "s): only a bind_failed proxy is retried on request";
    }
    return "proxy '" + name + "' is binding: only a bind_failed proxy is retried on request";
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

  public String name() {
    return name;
  }

  public String publishAddr() {
    return publishAddr;
  }

  public int publishPort() {
    return publishPort;
  }

  public BindRetryPolicy policy() {
    return policy;
  }

  /** The current status: {@code PENDING} until the first attempt completed. */
  public ProxyStatus status() {
    return status;
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
