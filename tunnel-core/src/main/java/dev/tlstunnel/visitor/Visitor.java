package dev.tlstunnel.visitor;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.protocol.VisitProof;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visitor: its local listener (bound and retried like a published port) and what its
 * connections met. A refusal is logged once per cause, not per connection: the next line comes when
 * the cause changes, or once connections get through again. Written on the client's event loop;
 * {@link #state()} may be read from any thread.
 */
final class Visitor {
  private static final Logger log = LoggerFactory.getLogger(Visitor.class);

  private final VisitorConfig config;
  private final String visitorKey;
  private final Clock clock;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong total = new AtomicLong();
  private ProxyListener listener;
  private volatile Bind change;
  private volatile Instant changedAt;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private String loggedCause;

  Visitor(VisitorConfig config, Clock clock) {
    this.config = config;
    this.visitorKey = VisitProof.visitorKey(config.secret(), config.target());
    this.clock = clock;
    this.changedAt = clock.instant();
  }

  VisitorConfig config() {
    return config;
  }

  String visitorKey() {
    return visitorKey;
  }

  /** Starts binding the local listener with {@code binder}. */
  void start(EventLoop loop, ProxyListener.Binder binder) {
    listener =
        new ProxyListener(
            log,
            "Visitor",
            config.name(),
            config.bindAddr(),
            config.bindPort(),
            config.bindRetry(),
            loop,
            binder,
            new BindObserver());
    listener.start();
  }

  private void changed(Bind bind) {
    change = bind;
    changedAt = clock.instant();
  }

  /** A local connection was accepted; it counts as active until it closes. */
  void opened(Channel local) {
    active.incrementAndGet();
    total.incrementAndGet();
    local.closeFuture().addListener(f -> active.decrementAndGet());
  }

  /** The server accepted a connection: the target is reachable (again). */
  void accepted() {
    if (loggedCause != null) {
      log.info("Visitor '{}' reaches {} again", config.name(), config.target());
      loggedCause = null;
    }
  }

  /** A connection did not reach the target; {@code cause} tells causes apart for the log. */
  void refused(String cause, String message) {
    lastError = message;
    lastErrorAt = clock.instant();
    if (!cause.equals(loggedCause)) {
      loggedCause = cause;
      log.warn(
          "Visitor '{}' cannot reach {}: {}; closing its connections while this lasts",
          config.name(),
          config.target(),
          message);
    } else {
      log.debug("Visitor '{}' connection refused again: {}", config.name(), message);
    }
  }

  VisitorState state() {
    Bind c = change;
    InetSocketAddress bound = listener == null ? null : listener.boundAddress();
    boolean retrying = c != null && c.status() == ProxyStatus.UNHEALTHY;
    return new VisitorState(
        config.name(),
        config.target(),
        config.bindAddr(),
        config.bindPort(),
        bound == null ? null : Addresses.hostPort(config.bindAddr(), bound.getPort()),
        c == null ? ProxyStatus.PENDING : c.status(),
        c == null ? null : c.error(),
        retrying ? c.retryAfter() : null,
        retrying ? changedAt.plus(c.retryAfter()) : null,
        c == null ? null : c.attempt(),
        c == null ? null : config.bindRetry().maxRetries(),
        active.get(),
        total.get(),
        lastError,
        lastErrorAt,
        changedAt);
  }

  void close() {
    if (listener != null) {
      listener.close();
    }
  }

  /** The listener's last change: its status, why it is not listening, the wait, the attempt. */
  private record Bind(ProxyStatus status, String error, Duration retryAfter, int attempt) {}

  private final class BindObserver implements ProxyListener.Observer {
    @Override
    public void bound(ProxyListener proxy, int attempt, InetSocketAddress address) {
      changed(new Bind(ProxyStatus.HEALTHY, null, null, attempt));
    }

    @Override
    public void retrying(
        ProxyListener proxy, int attempt, FailureKind cause, String message, Duration delay) {
      changed(new Bind(ProxyStatus.UNHEALTHY, message, delay, attempt));
    }

    @Override
    public void gaveUp(ProxyListener proxy, int attempt, FailureKind cause, String message) {
      changed(new Bind(ProxyStatus.BIND_FAILED, message, null, attempt));
    }
  }
}
