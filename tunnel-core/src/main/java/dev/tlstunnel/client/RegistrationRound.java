package dev.tlstunnel.client;

import dev.tlstunnel.protocol.ProxyRegistrationResult;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One reload's wait for the server's answers to the proxies it sent in the session that is up: it
 * takes those results from the session (the tracker hears the accepted ones once the reload is
 * kept) and completes once every name has an answer, the session ended, or {@code timeout} passed.
 * Confined to the client's event loop.
 */
final class RegistrationRound implements ReconnectLoop.ResultHook {
  /** How the wait ended. */
  enum End {
    ANSWERED,
    SESSION_ENDED,
    TIMED_OUT
  }

  private final Set<String> awaited;
  private final Map<String, ProxyRegistrationResult> results = new LinkedHashMap<>();
  private final CompletableFuture<End> done = new CompletableFuture<>();
  private final ScheduledFuture<?> deadline;

  RegistrationRound(Set<String> awaited, EventLoop loop, Duration timeout) {
    this.awaited = new LinkedHashSet<>(awaited);
    this.deadline =
        loop.schedule(() -> finish(End.TIMED_OUT), timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (awaited.isEmpty()) {
      finish(End.ANSWERED);
    }
  }

  @Override
  public boolean onResult(ProxyRegistrationResult result) {
    if (done.isDone() || !awaited.contains(result.proxyName())) {
      return false;
    }
    results.put(result.proxyName(), result);
    if (results.keySet().containsAll(awaited)) {
      finish(End.ANSWERED);
    }
    return true;
  }

  @Override
  public void onSessionEnded() {
    finish(End.SESSION_ENDED);
  }

  /** Completes on the event loop once the wait ended. */
  CompletableFuture<End> done() {
    return done;
  }

  /** The answers that came, by proxy name. */
  Map<String, ProxyRegistrationResult> results() {
    return results;
  }

  /** Whether the server accepted {@code name}. */
  boolean accepted(String name) {
    ProxyRegistrationResult r = results.get(name);
    return r != null && r.accepted();
  }

  private void finish(End end) {
    if (done.isDone()) {
      return;
    }
    if (deadline != null) {
      deadline.cancel(false);
    }
    done.complete(end);
  }
}
