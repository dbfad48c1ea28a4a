package dev.tlstunnel.server;

import io.netty.channel.Channel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the public connections of one session: at most {@code maxPerProxy} open on each proxy and
 * at most {@code maxPending} waiting for their stream (until its header has left for the tunnel,
 * which waits while the tunnel's socket is full). A connection beyond a bound is closed at accept
 * with a (rate-limited) line naming the bound. Confined to the session's event loop.
 */
final class PublicConnectionGate {
  private static final Logger log = LoggerFactory.getLogger(PublicConnectionGate.class);

  private final String clientId;
  private volatile int maxPerProxy;
  private volatile int maxPending;
  private final RateLimitedLog logs;
  private final ServerEvents events;
  private final Map<String, Integer> openByProxy = new HashMap<>();
  private final Set<Channel> pending = new HashSet<>();

  PublicConnectionGate(
      String clientId, int maxPerProxy, int maxPending, RateLimitedLog logs, ServerEvents events) {
    this.events = events;
    this.clientId = clientId;
    this.maxPerProxy = maxPerProxy;
    this.maxPending = maxPending;
    this.logs = logs;
  }

  /** Takes reloaded bounds; connections open now stay, new ones are admitted by these. */
  void bounds(int perProxy, int pendingConnects) {
    this.maxPerProxy = perProxy;
    this.maxPending = pendingConnects;
  }

  /** Counts {@code ch} on {@code proxy} and returns true, or closes it and returns false. */
  boolean admit(Channel ch, String proxy) {
    int open = openByProxy.getOrDefault(proxy, 0);
    String bound = null;
    String limit = null;
    if (open >= maxPerProxy) {
      limit = "max_connections_per_proxy";
      bound = limit + "=" + maxPerProxy;
    } else if (pending.size() >= maxPending) {
      limit = "max_pending_connects";
      bound = limit + "=" + maxPending;
    }
    if (bound != null) {
      logs.warn(
          log,
          "public:" + clientId + "/" + proxy + "/" + bound,
          "limit {} reached for proxy '{}' (client '{}'); closing connection from {}",
          bound,
          proxy,
          clientId,
          ch.remoteAddress());
      events.publicConnectionRefused(
          clientId,
          proxy,
          ch.remoteAddress() instanceof java.net.InetSocketAddress a ? a : null,
          limit);
      ch.close();
      return false;
    }
    openByProxy.put(proxy, open + 1);
    pending.add(ch);
    ch.closeFuture()
        .addListener(
            f -> {
              pending.remove(ch);
              openByProxy.computeIfPresent(proxy, (k, n) -> n <= 1 ? null : n - 1);
            });
    return true;
  }

  /** {@code ch} has its stream (or will never get one): no longer pending. */
  void settled(Channel ch) {
    pending.remove(ch);
  }

  /** Open public connections of {@code proxy}. */
  int open(String proxy) {
    return openByProxy.getOrDefault(proxy, 0);
  }

  /** Connections waiting for their stream. */
  int pending() {
    return pending.size();
  }
}
