package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TunnelException;
import dev.tlstunnel.common.Counts;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
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

  /** Hears the registration results of the session while a reload waits for them. */
  interface ResultHook {
    /** A result; true when the hook took it (the tracker does not hear it then). */
    boolean onResult(ProxyRegistrationResult result);

    /** The session ended before every awaited result came. */
    void onSessionEnded();
  }

  private final EventLoop loop;
  private final SessionAttempt.Factory attempts;
  private final ClientEvents events;
  private volatile SessionAttempt.Setup setup;
  private ReconnectSchedule schedule;
  private SessionAttempt candidate;
  private CompletableFuture<Failure> candidateOutcome;
  private SessionAttempt lostDuringSwitch;
  private Failure lossDuringSwitch;
  private ResultHook hook;
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
    this(context, null, loop, attempts, schedule, events);
  }

  /**
   * @param ssl the TLS context sessions are made with (null in tests whose attempts need none)
   */
  ReconnectLoop(
      ClientContext context,
      SslContext ssl,
      EventLoop loop,
      SessionAttempt.Factory attempts,
      ReconnectSchedule schedule,
      ClientEvents events) {
    this.setup = new SessionAttempt.Setup(context, ssl, null);
    this.loop = loop;
    this.attempts = attempts;
    this.schedule = schedule;
    this.events = events;
    this.tracker = new ProxyStateTracker(context.config().proxies(), events, this::onProxyChange);
  }

  ProxyStateTracker tracker() {
    return tracker;
  }

  /** The client's context in force: its configuration, proxies and dialer. */
  ClientContext context() {
    return setup.context();
  }

  /** The TLS context sessions are made with. */
  SslContext ssl() {
    return setup.ssl();
  }

  /** The session that is up, or null; on the event loop. */
  SessionAttempt connectedSession() {
    SessionAttempt s = current;
    return s != null && s.wasAuthenticated() && candidate == null ? s : null;
  }

  /**
   * Takes a reloaded context (and TLS context) for everything from now on: the next attempt, the
   * backoff, exit on bind failure. The session that is up keeps its connection; on the event loop.
   */
  void adopt(ClientContext next, SslContext ssl) {
    setup = new SessionAttempt.Setup(next, ssl, null);
    schedule = schedule.with(next.config().reconnect());
  }

  /** Routes the session's registration results to {@code h} first (null: to the tracker only). */
  void hook(ResultHook h) {
    hook = h;
  }

  /**
   * Connects anew with {@code next} (a reload changed the server, key, trust or transport) while
   * the session that is up goes on: once the new session is authenticated it takes over (the old
   * one drains for {@code shutdown_grace}). The future completes on the event loop with null once
   * the new session is up, or with the failure that kept it from coming up within {@code timeout}
   * (the old session then stays). Without a session that is up, {@code next} is used from now on
   * and an attempt starts at once (completes with null).
   */
  CompletableFuture<Failure> switchTo(SessionAttempt.Setup next, Duration timeout) {
    CompletableFuture<Failure> outcome = new CompletableFuture<>();
    if (exit.isDone()) {
      outcome.complete(Failure.of(FailureKind.CONNECTION_LOST, "the client is stopped", null));
      return outcome;
    }
    if (current == null || !current.wasAuthenticated()) {
      adopt(next.context(), next.ssl());
      if (current != null) {
        SessionAttempt stale = current;
        current = null;
        stale.close();
      }
      if (retryTimer != null) {
        retryTimer.cancel(false);
        retryTimer = null;
      }
      attempt();
      outcome.complete(null);
      return outcome;
    }
    candidateOutcome = outcome;
    SessionAttempt attempt = attempts.create(tracker, this, next);
    candidate = attempt;
    candidateSetup = next.plain();
    var deadline =
        loop.schedule(
            () -> {
              if (candidate == attempt) {
                endCandidate(
                    Failure.of(
                        FailureKind.UNREACHABLE,
                        "the new session was not up within " + timeout.toSeconds() + "s",
                        null));
                attempt.close();
              }
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    outcome.whenComplete((f, t) -> deadline.cancel(false));
    events.connecting(next.context().config().server(), 1);
    attempt.connect();
    return outcome;
  }

  private SessionAttempt.Setup candidateSetup;

  /** The candidate session failed: the old one stays (a loss of it meanwhile is handled now). */
  private void endCandidate(Failure failure) {
    candidate = null;
    CompletableFuture<Failure> outcome = candidateOutcome;
    candidateOutcome = null;
    outcome.complete(failure);
    if (lossDuringSwitch != null) {
      SessionAttempt lost = lostDuringSwitch;
      Failure why = lossDuringSwitch;
      lostDuringSwitch = null;
      lossDuringSwitch = null;
      ended(lost, why);
    }
  }

  /** The candidate session is up: it becomes the session, the old one drains. */
  private void promote(String serverVersion) {
    SessionAttempt old = current;
    current = candidate;
    candidate = null;
    setup = candidateSetup;
    schedule = schedule.with(setup.context().config().reconnect());
    lostDuringSwitch = null;
    lossDuringSwitch = null;
    failures = 0;
    tracker.onSessionLost();
    log.info(
        "Connected to server {} with the reloaded configuration{}",
        reached(),
        old == null ? "" : "; the previous session closes once its streams finish");
    up(serverVersion);
    if (old != null) {
      old.drain(context().config().shutdownGrace().toMillis());
    }
    CompletableFuture<Failure> outcome = candidateOutcome;
    candidateOutcome = null;
    outcome.complete(null);
  }

  /** The server the current session reached (of the {@code server_addr} list). */
  private String reached() {
    SessionAttempt s = current;
    String name = s == null ? null : s.serverName();
    return name != null ? name : context().config().server();
  }

  /** The session is up: the view says so and the listeners hear it. */
  private void up(String serverVersion) {
    view = new View(SessionState.CONNECTED, null, null, null);
    ClientEvent.Connected up =
        new ClientEvent.Connected(
            events.clock().instant(), reached(), context().config().clientId(), serverVersion);
    events.connected(up.server(), up.clientId(), up.serverVersion());
    connected.complete(up);
  }

  @Override
  public void onRegistrationResult(SessionAttempt session, ProxyRegistrationResult result) {
    if (session != current && session != candidate) {
      return;
    }
    if (hook != null && hook.onResult(result)) {
      return;
    }
    tracker.onRegistrationResult(result);
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
    events.connecting(context().config().server(), failures + 1);
    current = attempts.create(tracker, this, setup);
    current.connect();
  }

  @Override
  public void onConnected(SessionAttempt session, String serverVersion) {
    if (session == candidate && !exit.isDone()) {
      promote(serverVersion);
      return;
    }
    if (session != current || exit.isDone()) {
      return;
    }
    if (failures > 0) {
      log.info(
          "Reconnected to server {} after {}",
          reached(),
          Counts.of(failures, "attempt", "attempts"));
    }
    failures = 0;
    up(serverVersion);
  }

  @Override
  public void onEnded(SessionAttempt session, Failure failure) {
    if (session == candidate) {
      endCandidate(
          failure != null
              ? failure
              : Failure.of(FailureKind.CONNECTION_LOST, "the new session was closed", null));
      return;
    }
    if (session != current) {
      return;
    }
    if (candidate != null) {
      // A reload's new session is on its way: it takes over if it comes up, else this is a loss.
      current = null;
      lostDuringSwitch = session;
      lossDuringSwitch = failure;
      return;
    }
    ended(session, failure);
  }

  private void ended(SessionAttempt session, Failure failure) {
    current = null;
    ResultHook waiting = hook;
    if (waiting != null) {
      waiting.onSessionEnded();
    }
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
    ClientConfig config = context().config();
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
    if (proxy.status().isFinalFailure() && context().config().exitOnBindFailure()) {
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
    if (candidate != null) {
      SessionAttempt closing = candidate;
      endCandidate(Failure.of(FailureKind.CONNECTION_LOST, "the client is stopped", null));
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
