package dev.tlstunnel.bind;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
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
import org.slf4j.LoggerFactory;

/**
 * One published proxy's listener: binds on its own, and when the bind fails retries on event-loop
 * timers with exponential backoff until it binds or the policy gives up. Every change of state is
 * logged once and reported through the status sink. Confined to its event loop.
 */
public final class ProxyListener {
  private final Logger log;

  /** Binds a listening socket; the future completes with the bound server channel. */
  public interface Binder {
    ChannelFuture bind(InetSocketAddress address);
  }

  private final String name;
  private final String publishAddr;
  private final int publishPort;
  private final BindRetryPolicy policy;
  private final EventLoop loop;
  private final Binder binder;
  private final Consumer<ProxyStatusUpdate> statusSink;

  private volatile ProxyStatus status;
  private volatile Channel serverChannel;
  private volatile ScheduledFuture<?> retryTimer;
  private boolean closed;

  public ProxyListener(
      String name,
      String publishAddr,
      int publishPort,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Consumer<ProxyStatusUpdate> statusSink) {
    this(
        LoggerFactory.getLogger(ProxyListener.class),
        name,
        publishAddr,
        publishPort,
        policy,
        loop,
        binder,
        statusSink);
  }

  /** Like the other constructor, logging under {@code log} (the owner's logger). */
  public ProxyListener(
      Logger log,
      String name,
      String publishAddr,
      int publishPort,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Consumer<ProxyStatusUpdate> statusSink) {
    this.log = log;
    this.name = name;
    this.publishAddr = publishAddr;
    this.publishPort = publishPort;
    this.policy = policy;
    this.loop = loop;
    this.binder = binder;
    this.statusSink = statusSink;
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
    int port =
        channel.localAddress() instanceof InetSocketAddress bound ? bound.getPort() : publishPort;
    String where = BindDiagnostics.hostPort(publishAddr, port);
    if (attempt == 1) {
      log.info("Proxy '{}' listening on {}", name, where);
    } else {
      log.info("Proxy '{}' listening on {} (after {} retries)", name, where, attempt - 1);
    }
    statusSink.accept(update(ProxyStatus.HEALTHY, null, null, attempt, port));
  }

  private void onBindFailed(int attempt, Throwable cause) {
    if (closed) {
      return;
    }
    String message = BindDiagnostics.describe(publishAddr, publishPort, cause);
    int retriesDone = attempt - 1;
    if (policy.allowsRetry(retriesDone)) {
      Duration delay = policy.delayBeforeRetry(attempt);
      String seconds = seconds(delay);
      status = ProxyStatus.UNHEALTHY;
      log.warn(
          "Proxy '{}' bind failed (attempt {}): {}. Retrying in {} seconds...",
          name,
          attemptText(attempt),
          message,
          seconds);
      retryTimer = loop.schedule(() -> attempt(attempt + 1), delay.toNanos(), TimeUnit.NANOSECONDS);
      statusSink.accept(
          update(ProxyStatus.UNHEALTHY, message, delay.toMillis() / 1000.0, attempt, publishPort));
    } else {
      status = ProxyStatus.BIND_FAILED;
      log.error("Proxy '{}' bind failed after {} retries: {}", name, retriesDone, message);
      statusSink.accept(update(ProxyStatus.BIND_FAILED, message, null, attempt, publishPort));
    }
  }

  private String attemptText(int attempt) {
    return policy.unlimited() ? Integer.toString(attempt) : attempt + "/" + policy.maxRetries();
  }

  private ProxyStatusUpdate update(
      ProxyStatus newStatus, String error, Double retryAfter, int attempt, int port) {
    return new ProxyStatusUpdate(
        name, newStatus, error, retryAfter, attempt, policy.maxRetries(), publishAddr, port);
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

  public String name() {
    return name;
  }

  /** The current status, or null before the first attempt completed. */
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
