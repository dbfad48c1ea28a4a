package dev.tlstunnel.client;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.notify.Notice;
import dev.tlstunnel.notify.Notifications;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the client's listener events into fault notifications: a proxy becoming unhealthy (not
 * every retry), giving up ({@code bind_failed}), being served again ({@code proxy_recovered}), and
 * the session coming up ({@code client_connected}) and going down ({@code client_disconnected}),
 * and a visitor's connections being refused for a new reason ({@code visitor_refused}).
 */
final class ClientNotices implements TunnelClient.Listener {
  private final Notifications targets;
  private final String clientId;

  ClientNotices(Notifications targets, String clientId) {
    this.targets = targets;
    this.clientId = clientId;
  }

  @Override
  public void connected(ClientEvent.Connected e) {
    Map<String, Object> f = fields();
    f.put("server", e.server());
    f.put("server_version", e.serverVersion());
    send("client_connected", e.time(), f);
  }

  @Override
  public void disconnected(ClientEvent.Disconnected e) {
    Map<String, Object> f = fields();
    f.put("error", e.failure().message());
    f.put("failure", e.failure().kind().name().toLowerCase(java.util.Locale.ROOT));
    f.put("retry_in_seconds", e.retryIn() == null ? null : e.retryIn().toMillis() / 1000.0);
    send("client_disconnected", e.time(), f);
  }

  @Override
  public void proxyStatusChanged(ClientEvent.ProxyStatusChanged e) {
    ProxyStatus before = e.previous() == null ? null : e.previous().status();
    ProxyState now = e.current();
    String event = null;
    if (now.status() == ProxyStatus.UNHEALTHY && before != ProxyStatus.UNHEALTHY) {
      event = "proxy_unhealthy";
    } else if (now.status() == ProxyStatus.BIND_FAILED && before != ProxyStatus.BIND_FAILED) {
      event = "proxy_bind_failed";
    } else if (now.status() == ProxyStatus.HEALTHY
        && (before == ProxyStatus.UNHEALTHY || before == ProxyStatus.BIND_FAILED)) {
      event = "proxy_recovered";
    }
    if (event == null) {
      return;
    }
    Map<String, Object> f = fields();
    f.put("proxy", now.name());
    f.put("publish_addr", now.publishAddr());
    f.put("publish_port", now.publishPort());
    f.put("error", now.error());
    f.put("attempt", now.attempt());
    f.put("max_retries", now.maxRetries());
    f.put(
        "retry_in_seconds", now.retryAfter() == null ? null : now.retryAfter().toMillis() / 1000.0);
    send(event, e.time(), f);
  }

  @Override
  public void visitorRefused(ClientEvent.VisitorRefused e) {
    Map<String, Object> f = fields();
    f.put("visitor", e.visitorName());
    f.put("target", e.target());
    f.put("reason", e.reason());
    f.put("error", e.message());
    send("visitor_refused", e.time(), f);
  }

  private Map<String, Object> fields() {
    Map<String, Object> f = new HashMap<>();
    f.put("client_id", clientId);
    return f;
  }

  private void send(String event, Instant time, Map<String, Object> fields) {
    fields.values().removeIf(Objects::isNull);
    targets.publish(new Notice(event, time, "client", fields));
  }
}
