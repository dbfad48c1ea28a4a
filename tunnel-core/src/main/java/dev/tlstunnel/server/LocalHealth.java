package dev.tlstunnel.server;

import dev.tlstunnel.protocol.ProxyHealth;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of a session's local services, as its client reports it ({@code proxy_health}): a
 * proxy whose service fails its check keeps its listener (no re-registration, no rebind) but gets
 * no connections until the client reports it healthy again. Written on the session's event loop;
 * read from any (a group's listener chooses among members of several sessions).
 */
final class LocalHealth {
  private static final Logger log = LoggerFactory.getLogger(LocalHealth.class);

  private final ServerSession session;
  private final Map<String, String> unhealthy = new ConcurrentHashMap<>();

  LocalHealth(ServerSession session) {
    this.session = session;
  }

  /** Applies a client's report; reports on proxies it did not register are ignored. */
  void report(ProxyHealth health) {
    String proxy = health.proxyName();
    if (proxy == null || !session.hasProxy(proxy)) {
      log.debug(
          "[client={}] ignoring proxy_health for unknown proxy {}", session.clientId(), proxy);
      return;
    }
    boolean was = !unhealthy.containsKey(proxy);
    if (health.healthy()) {
      unhealthy.remove(proxy);
    } else {
      unhealthy.put(proxy, health.reason() == null ? "health check failed" : health.reason());
    }
    if (was == health.healthy()) {
      return;
    }
    if (health.healthy()) {
      log.info(
          "[client={}] Proxy '{}' local service healthy again: serving its connections",
          session.clientId(),
          proxy);
    } else {
      log.warn(
          "[client={}] Proxy '{}' local service unhealthy ({}): refusing its connections",
          session.clientId(),
          proxy,
          unhealthy.get(proxy));
    }
    session.events().proxyHealthChanged(session.clientId(), proxy, health.healthy(), reason(proxy));
    ProxyGroup group = session.groupOf(proxy);
    if (group != null) {
      group.publishIfChanged();
    }
  }

  /** Whether {@code proxy}'s local service passes its check (true for a proxy without one). */
  boolean serving(String proxy) {
    return !unhealthy.containsKey(proxy);
  }

  /** Why {@code proxy} does not serve, or null. */
  String reason(String proxy) {
    return unhealthy.get(proxy);
  }

  /** Closes {@code ch}, accepted on {@code proxy} while its service is unhealthy. */
  void refuse(Channel ch, String proxy) {
    session
        .logs()
        .warn(
            log,
            "unhealthy:" + session.clientId() + "/" + proxy,
            "[client={}] Proxy '{}' local service unhealthy: refused connection from {}",
            session.clientId(),
            proxy,
            ch.remoteAddress());
    ch.close();
  }
}
