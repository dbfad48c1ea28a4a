package dev.tlstunnel.client;

import dev.tlstunnel.config.ClientConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client connected: makes one {@link ClientSession} per attempt and, when one ends, waits
 * (backoff with jitter, an event-loop timer) and makes the next. States: {@code connecting} →
 * {@code connected} → {@code disconnected} (waiting, next attempt at …) → {@code connecting} …, and
 * {@code closed}. The client ends ({@link #exit()}) on close, on an authentication failure (unless
 * {@code retry_on_auth_failure}), on a bind failure with {@code exit_on_bind_failure}, and on any
 * loss when reconnecting is off. Confined to the client's event loop; the view is published through
 * a volatile field for the admin API.
 */
final class ReconnectLoop implements ClientSession.Listener {
  private static final Logger log = LoggerFactory.getLogger(ReconnectLoop.class);

  /** What the status API shows of the session. */
  record View(String state, String lastError, String nextAttemptAt, Integer attempt) {}

  private final ClientContext context;
  private final EventLoop loop;
  private final SslContext ssl;
  private final ReconnectSchedule schedule;
  private final Clock clock;
  private final ProxyStateTracker tracker;
  private final CompletableFuture<ClientExit> exit = new CompletableFuture<>();
  private final AtomicInteger keepAliveTimers = new AtomicInteger();
  private volatile View view = new View("connecting", null, null, null);
  private volatile ClientSession current;
  private ScheduledFuture<?> retryTimer;
  private int failures;

  ReconnectLoop(
      ClientContext context,
      EventLoop loop,
      SslContext ssl,
      ReconnectSchedule schedule,
      Clock clock) {
    this.context = context;
    this.loop = loop;
    this.ssl = ssl;
    this.schedule = schedule;
    this.clock = clock;
    this.tracker = new ProxyStateTracker(context.config().proxies(), clock);
    tracker.onChange(this::onProxyChange);
  }

  ProxyStateTracker tracker() {
    return tracker;
  }

  View view() {
    return view;
  }

  CompletableFuture<ClientExit> exit() {
    return exit;
  }

  /** Keepalive handlers with running timers (0 or 1). */
  int keepAliveTimers() {
    return keepAliveTimers.get();
  }

  /** Makes the first attempt. */
  void start() {
    loop.execute(this::attempt);
  }

  private void attempt() {
    retryTimer = null;
    if (exit.isDone()) {
      return;
    }
    View last = view;
    view = new View("connecting", last.lastError(), null, last.attempt());
    current = new ClientSession(context, loop, ssl, tracker, this, keepAliveTimers);
    current.connect();
  }

  @Override
  public void onConnected(ClientSession session) {
    if (session != current || exit.isDone()) {
      return;
    }
    if (failures > 0) {
      log.info("Reconnected to server {} after {} attempts", session.server(), failures);
    }
    failures = 0;
    view = new View("connected", null, null, null);
  }

  @Override
  public void onEnded(ClientSession session, ClientSession.Ending ending) {
    if (session != current) {
      return;
    }
    current = null;
    tracker.onSessionLost();
    if (exit.isDone()) {
      return;
    }
    ClientConfig config = context.config();
    switch (ending.kind()) {
      case CLOSED -> finish(ClientExit.Reason.CLOSED, ending.message());
      case AUTH_FAILED -> {
        if (config.reconnect().enabled() && config.reconnect().retryOnAuthFailure()) {
          scheduleAttempt(ending.message());
        } else {
          finish(ClientExit.Reason.AUTH_FAILED, ending.message());
        }
      }
      case UNTRUSTED -> finish(ClientExit.Reason.CONNECTION_FAILED, ending.message());
      case FAILED -> {
        if (config.reconnect().enabled()) {
          scheduleAttempt(ending.message());
        } else {
          finish(ClientExit.Reason.CONNECTION_FAILED, ending.message());
        }
      }
    }
  }

  private void scheduleAttempt(String error) {
    failures++;
    Duration delay = schedule.delayBefore(failures);
    String at = clock.instant().plus(delay).toString();
    view = new View("disconnected", error, at, failures);
    log.warn("{}; reconnecting in {}s (attempt {})", error, seconds(delay), failures);
    retryTimer = loop.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void onProxyChange(ProxyState proxy) {
    if (ProxyStateTracker.isFailed(proxy) && context.config().exitOnBindFailure()) {
      finish(
          ClientExit.Reason.BIND_FAILURE,
          "Proxy '" + proxy.name() + "' " + proxy.status() + ": " + proxy.error());
    }
  }

  /** Ends the client at once, with the reason; closes the connection. */
  void finish(ClientExit.Reason reason, String message) {
    if (!loop.inEventLoop()) {
      if (!exit.isDone()) {
        try {
          loop.execute(() -> finish(reason, message));
        } catch (RejectedExecutionException e) {
          exit.complete(new ClientExit(reason, message));
        }
      }
      return;
    }
    if (exit.isDone()) {
      return;
    }
    if (reason == ClientExit.Reason.CLOSED) {
      view = new View("closed", view.lastError(), null, null);
    } else {
      log.error("{}", message);
      view = new View("disconnected", message, null, null);
    }
    exit.complete(new ClientExit(reason, message));
    if (retryTimer != null) {
      retryTimer.cancel(false);
      retryTimer = null;
    }
    if (current != null) {
      current.close();
    }
  }

  /**
   * Stops reconnecting, lets the current session's streams finish for up to {@code graceMillis}
   * (the server is told to open no new ones), then ends the client as closed.
   */
  CompletableFuture<ClientExit> shutdownGracefully(long graceMillis) {
    loop.execute(
        () -> {
          if (current == null || exit.isDone()) {
            finish(ClientExit.Reason.CLOSED, "closed");
            return;
          }
          log.info("Shutting down: open streams may finish within {} ms", graceMillis);
          ClientSession draining = current;
          current = null;
          if (retryTimer != null) {
            retryTimer.cancel(false);
          }
          draining
              .drain(graceMillis)
              .whenComplete((v, t) -> finish(ClientExit.Reason.CLOSED, "closed"));
        });
    return exit;
  }

  /** Opens a data stream on the current session; fails when there is none. */
  Future<Channel> openStream(ChannelHandler initializer) {
    ClientSession s = current;
    if (s == null) {
      return loop.newFailedFuture(new IllegalStateException("not connected to the server"));
    }
    if (loop.inEventLoop()) {
      return s.openStream(initializer);
    }
    Promise<Channel> promise = loop.newPromise();
    loop.execute(
        () ->
            s.openStream(initializer)
                .addListener(
                    f -> {
                      if (f.isSuccess()) {
                        promise.trySuccess((Channel) f.getNow());
                      } else {
                        promise.tryFailure(f.cause());
                      }
                    }));
    return promise;
  }

  /** Data streams open in the current session. */
  int openDataStreams() {
    ClientSession s = current;
    return s == null ? 0 : s.openDataStreams();
  }

  private static String seconds(Duration delay) {
    return BigDecimal.valueOf(delay.toMillis(), 3).stripTrailingZeros().toPlainString();
  }
}
