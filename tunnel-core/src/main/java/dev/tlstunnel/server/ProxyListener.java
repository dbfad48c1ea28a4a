package dev.tlstunnel.server;

import dev.tlstunnel.bind.RetryingListener;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published proxy's listener: a {@link RetryingListener} (independent bind, retries with
 * backoff, one log line per change) whose changes become {@code proxy_status_update} messages.
 * Confined to its event loop.
 */
final class ProxyListener {
  private static final Logger log = LoggerFactory.getLogger(ProxyListener.class);

  /** Binds a listening socket; the future completes with the bound server channel. */
  interface Binder extends RetryingListener.Binder {}

  private final String name;
  private final String publishAddr;
  private final RetryingListener listener;

  ProxyListener(
      String name,
      String publishAddr,
      int publishPort,
      BindRetryPolicy policy,
      EventLoop loop,
      Binder binder,
      Consumer<ProxyStatusUpdate> statusSink) {
    this.name = name;
    this.publishAddr = publishAddr;
    this.listener =
        new RetryingListener(
            new RetryingListener.Owner(log, "Proxy '" + name + "'", "proxy listener"),
            publishAddr,
            publishPort,
            policy,
            loop,
            binder,
            change -> statusSink.accept(update(change)));
  }

  private ProxyStatusUpdate update(RetryingListener.Change c) {
    Double retryAfter = c.retryAfter() == null ? null : c.retryAfter().toMillis() / 1000.0;
    return new ProxyStatusUpdate(
        name,
        status(c.state()),
        c.error(),
        retryAfter,
        c.attempt(),
        c.maxRetries(),
        publishAddr,
        c.port());
  }

  private static ProxyStatus status(RetryingListener.State state) {
    return switch (state) {
      case HEALTHY -> ProxyStatus.HEALTHY;
      case UNHEALTHY -> ProxyStatus.UNHEALTHY;
      case BIND_FAILED -> ProxyStatus.BIND_FAILED;
    };
  }

  /** Seconds without a trailing {@code .0}: 2 s → "2", 250 ms → "0.25". */
  static String seconds(Duration delay) {
    return RetryingListener.seconds(delay);
  }

  /** Makes the first attempt. */
  void start() {
    listener.start();
  }

  /** Cancels a pending retry and closes the listener. Idempotent; runs on the event loop. */
  void close() {
    listener.close();
  }

  String name() {
    return name;
  }

  /** The current status, or null before the first attempt completed. */
  ProxyStatus status() {
    RetryingListener.State state = listener.state();
    return state == null ? null : status(state);
  }

  /** Whether a retry is scheduled. */
  boolean retryPending() {
    return listener.retryPending();
  }

  /** The bound listening address, or null when not listening. */
  InetSocketAddress boundAddress() {
    return listener.boundAddress();
  }
}
