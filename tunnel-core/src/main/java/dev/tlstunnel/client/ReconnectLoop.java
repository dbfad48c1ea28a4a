package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TunnelException;
import dev.tlstunnel.common.Counts;
import dev.tlstunnel.config.ClientConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client connected: makes one {@link ClientSession} per attempt and, when one ends, waits
 * (backoff with jitter, an event-loop timer) and makes the next. States: {@code CONNECTING} →
 * {@code CONNECTED} → {@code DISCONNECTED} (waiting, next attempt at …) → {@code CONNECTING} …, and
 * {@code CLOSED}. The client ends ({@link #exit()}) on close, on an authentication failure (unless
 * {@code retry_on_auth_failure}), on an untrusted server, on a proxy failure with {@code
 * exit_on_bind_failure}, and on any loss when reconnecting is off. Confined to the client's event
 * loop; the view is published through a volatile field for the admin API.
 */
final class ReconnectLoop implements SessionAttempt.Listener {
  private static final Logger log = LoggerFactory.getLogger(ReconnectLoop.class);

  /** What the status API shows of the session. */
  record View(SessionState state, String lastError, Instant nextAttemptAt, Integer attempt) {}

  private final ClientContext context;
  private final EventLoop loop;
  private final SessionAttempt.Factory attempts;
  private final ReconnectSchedule schedule;
  private final ClientEvents events;
  private final ProxyStateTracker tracker;
  private final CompletableFuture<ClientEvent.Connected> connected = new CompletableFuture<>();
  private final CompletableFuture<ClientExit> exit = new CompletableFuture<>();
  private volatile View view = new View(SessionState.CONNECTING, null, null, null);
  private volatile SessionAttempt current;
  private ScheduledFuture<?> retryTimer;
  private int failures;

  /** Sessions replaced in a row by another client with this client's id (not reset on connect). */
  private int replacements;

  ReconnectLoop(
      ClientContext context,
      EventLoop loop,
      SessionAttempt.Factory attempts,
      ReconnectSchedule schedule,
      ClientEvents events) {
    this.context = context;
    this.loop = loop;
    this.attempts = attempts;
    this.schedule = schedule;
    this.events = events;
    this.tracker = new ProxyStateTracker(context.config().proxies(), events, this::onProxyChange);
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

  /** Completes when the first session is up; fails if the client ends before. */
  CompletableFuture<ClientEvent.Connected> connected() {
    return connected;
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
    view = new View(SessionState.CONNECTING, last.lastError(), null, last.attempt());
    events.connecting(context.config().server(), failures + 1);
    current = attempts.create(tracker, this);
    current.connect();
  }

  @Override
  public void onConnected(SessionAttempt session, String serverVersion) {
    if (session != current || exit.isDone()) {
      return;
    }
    if (failures > 0) {
      log.info(
          "Reconnected to server {} after {}",
          context.config().server(),
          Counts.of(failures, "attempt", "attempts"));
    }
    failures = 0;
    view = new View(SessionState.CONNECTED, null, null, null);
    ClientEvent.Connected up =
        new ClientEvent.Connected(
            events.clock().instant(),
            context.config().server(),
            context.config().clientId(),
            serverVersion);
    events.connected(up.server(), up.clientId(), up.serverVersion());
    connected.complete(up);
  }

  @Override
  public void onEnded(SessionAttempt session, Failure failure) {
    if (session != current) {
      return;
    }
    current = null;
    tracker.onSessionLost();
    if (exit.isDone()) {
      return;
    }
    if (failure == null) {
      finish(ClientExit.CLOSED);
      return;
    }
    boolean replaced = failure.kind() == FailureKind.REPLACED;
    replacements = replaced ? replacements + 1 : 0;
    Duration retryIn = retries(failure) ? scheduleAttempt(failure.message(), replaced) : null;
    if (session.wasAuthenticated()) {
      events.disconnected(failure, retryIn);
    } else {
      events.connectFailed(failure, retryIn);
    }
    if (retryIn == null) {
      finish(new ClientExit(failure));
    }
  }

  private boolean retries(Failure failure) {
    ClientConfig config = context.config();
    return switch (failure.kind()) {
      case AUTH_REFUSED, REFUSED ->
          config.reconnect().enabled() && config.reconnect().retryOnAuthFailure();
      case UNTRUSTED_SERVER -> false;
      default -> config.reconnect().enabled();
    };
  }

  /**
   * Schedules the next attempt after the backoff's wait. A session replaced by another client with
   * the same id waits longer each time it is replaced again, however long it was up, so that two
   * clients sharing an id do not take the session from each other at once, forever; the first such
   * replacement is logged as the ERROR it is, the rest like other losses.
   */
  private Duration scheduleAttempt(String error, boolean replaced) {
    failures++;
    Duration delay = schedule.delayBefore(Math.max(failures, replacements));
    Instant at = events.clock().instant().plus(delay);
    view = new View(SessionState.DISCONNECTED, error, at, failures);
    String wait = ProxyChangeLog.seconds(delay.truncatedTo(ChronoUnit.MILLIS));
    if (replaced && replacements == 1) {
      log.error("{}; reconnecting in {}s", error, wait);
    } else {
      log.warn("{}; reconnecting in {}s (attempt {})", error, wait, failures);
    }
    retryTimer = loop.schedule(this::attempt, delay.toNanos(), TimeUnit.NANOSECONDS);
    return delay;
  }

  private void onProxyChange(ProxyState proxy) {
    if (proxy.status().isFinalFailure() && context.config().exitOnBindFailure()) {
      finish(
          new ClientExit(
              Failure.of(
                  FailureKind.PROXY_FAILED,
                  "Proxy '"
                      + proxy.name()
                      + "' "
                      + proxy.status().wireName()
                      + ": "
                      + proxy.error(),
                  null)));
    }
  }

  /** Ends the client at once, with the reason; closes the connection. */
  void finish(ClientExit ending) {
    if (!loop.inEventLoop()) {
      if (!exit.isDone()) {
        try {
          loop.execute(() -> finish(ending));
        } catch (RejectedExecutionException e) {
          complete(ending);
        }
      }
      return;
    }
    if (exit.isDone()) {
      return;
    }
    if (ending.closedOnRequest()) {
      view = new View(SessionState.CLOSED, view.lastError(), null, null);
    } else {
      // The application reports the ending (the exit future, the Stopped event): one line there.
      log.debug("Client ended: {}", ending.message());
      view = new View(SessionState.DISCONNECTED, ending.message(), null, null);
    }
    if (retryTimer != null) {
      retryTimer.cancel(false);
      retryTimer = null;
    }
    if (current != null) {
      SessionAttempt closing = current;
      current = null;
      closing.close();
    }
    tracker.onSessionLost();
    complete(ending);
  }

  private void complete(ClientExit ending) {
    if (!exit.complete(ending)) {
      return;
    }
    tracker.onClientEnded(ending);
    connected.completeExceptionally(
        ending.closedOnRequest()
            ? new CancellationException("client closed")
            : new TunnelException(ending.failure()));
    events.stopped(ending);
  }

  /**
   * Stops reconnecting, lets the current session's streams finish for up to {@code graceMillis}
   * (the server is told to open no new ones), then ends the client as closed.
   */
  CompletableFuture<ClientExit> shutdownGracefully(long graceMillis) {
    loop.execute(
        () -> {
          if (current == null || exit.isDone()) {
            finish(ClientExit.CLOSED);
            return;
          }
          log.info("Shutting down: open streams may finish within {} ms", graceMillis);
          SessionAttempt draining = current;
          current = null;
          if (retryTimer != null) {
            retryTimer.cancel(false);
          }
          draining.drain(graceMillis).whenComplete((v, t) -> finish(ClientExit.CLOSED));
        });
    return exit;
  }

  /** Opens a data stream on the current session; fails when there is none. */
  Future<Channel> openStream(ChannelHandler initializer) {
    SessionAttempt s = current;
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

  /** The current session's round-trip time in nanoseconds, 0 when unknown or not connected. */
  long rttNanos() {
    SessionAttempt s = current;
    return s == null ? 0 : s.rttNanos();
  }

  /** Data streams open in the current session. */
  int openDataStreams() {
    SessionAttempt s = current;
    return s == null ? 0 : s.openDataStreams();
  }
}
