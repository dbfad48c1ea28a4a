package dev.tlstunnel.client;

import dev.tlstunnel.protocol.RetryProxy;
import dev.tlstunnel.protocol.RetryProxyResult;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client's requests to retry a {@code bind_failed} proxy: each is sent on the current session's
 * control stream as {@code retry_proxy} and completed by the server's {@code retry_proxy_result},
 * or after {@link #ANSWER_TIMEOUT} without one (a server that does not know the message ignores
 * it). Confined to the client's event loop.
 */
final class ProxyRetryRequests {
  /** How long the server has to answer. */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

  private final EventLoop loop;
  private volatile Set<String> proxies;
  private final Map<String, List<CompletableFuture<ProxyRetry>>> pending = new HashMap<>();
  private Channel control;

  ProxyRetryRequests(EventLoop loop, Set<String> proxies) {
    this.loop = loop;
    this.proxies = proxies;
  }

  /** A reload changed the configured proxies. */
  void proxies(Set<String> names) {
    this.proxies = Set.copyOf(names);
  }

  /** The session is authenticated: requests go on {@code controlStream} from now on. */
  void attach(Channel controlStream) {
    loop.execute(() -> control = controlStream);
  }

  /** That control stream closed: requests waiting on it end as {@code not_connected}. */
  void detach(Channel controlStream) {
    loop.execute(
        () -> {
          if (control != controlStream) {
            return;
          }
          control = null;
          for (String name : List.copyOf(pending.keySet())) {
            complete(name, ProxyRetry.Outcome.NOT_CONNECTED, "the session with the server ended");
          }
        });
  }

  /** Asks the server to retry {@code proxy}. */
  CompletableFuture<ProxyRetry> request(String proxy) {
    CompletableFuture<ProxyRetry> answer = new CompletableFuture<>();
    loop.execute(() -> send(proxy, answer));
    return answer;
  }

  private void send(String proxy, CompletableFuture<ProxyRetry> answer) {
    if (!proxies.contains(proxy)) {
      answer.complete(
          new ProxyRetry(
              proxy,
              ProxyRetry.Outcome.UNKNOWN_PROXY,
              "no proxy '" + proxy + "' in this client's configuration"));
      return;
    }
    if (control == null || !control.isActive()) {
      answer.complete(
          new ProxyRetry(
              proxy,
              ProxyRetry.Outcome.NOT_CONNECTED,
              "the client is not connected to its server; it registers its proxies again, and"
                  + " starts their bind schedules anew, when it reconnects"));
      return;
    }
    pending.computeIfAbsent(proxy, p -> new ArrayList<>()).add(answer);
    control.writeAndFlush(new RetryProxy(proxy));
    loop.schedule(
        () -> {
          List<CompletableFuture<ProxyRetry>> waiting = pending.get(proxy);
          if (waiting != null && waiting.remove(answer)) {
            if (waiting.isEmpty()) {
              pending.remove(proxy);
            }
            answer.complete(noAnswer(proxy));
          }
        },
        ANSWER_TIMEOUT.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The server's answer; on the event loop. */
  void onResult(RetryProxyResult result) {
    if (result.accepted()) {
      complete(
          result.proxyName(),
          ProxyRetry.Outcome.RESTARTED,
          "the server started the bind retries of proxy '" + result.proxyName() + "' again");
    } else {
      complete(result.proxyName(), ProxyRetry.Outcome.REFUSED, result.reason());
    }
  }

  private void complete(String proxy, ProxyRetry.Outcome outcome, String message) {
    List<CompletableFuture<ProxyRetry>> waiting = pending.remove(proxy);
    if (waiting != null) {
      ProxyRetry answer = new ProxyRetry(proxy, outcome, message);
      waiting.forEach(f -> f.complete(answer));
    }
  }

  private static ProxyRetry noAnswer(String proxy) {
    return new ProxyRetry(
        proxy,
        ProxyRetry.Outcome.NO_ANSWER,
        "the server did not answer within "
            + ANSWER_TIMEOUT.toSeconds()
            + "s: it may run a version without retry, which ignores the request; restarting the"
            + " client registers proxy '"
            + proxy
            + "' again and starts its bind schedule anew");
  }
}
