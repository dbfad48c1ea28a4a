package dev.tlstunnel.server;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.notify.Notice;
import dev.tlstunnel.notify.Notifications;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the server's listener events into fault notifications: a proxy becoming unhealthy (its
 * first failed bind, not every retry), giving up ({@code bind_failed}), binding again after either
 * ({@code proxy_recovered}), and clients connecting and disconnecting.
 */
final class ServerNotices implements TunnelServer.Listener {
  private final Notifications targets;
  private final Map<String, ProxyStatus> last = new ConcurrentHashMap<>();

  ServerNotices(Notifications targets) {
    this.targets = targets;
  }

  @Override
  public void clientConnected(ServerEvent.ClientConnected e) {
    Map<String, Object> f = new HashMap<>();
    f.put("client_id", e.clientId());
    f.put("remote_address", String.valueOf(e.remoteAddress()));
    f.put("client_version", e.clientVersion());
    f.put("replaced_previous", e.replacedPrevious());
    send("client_connected", e.time(), f);
  }

  @Override
  public void clientDisconnected(ServerEvent.ClientDisconnected e) {
    Map<String, Object> f = new HashMap<>();
    f.put("client_id", e.clientId());
    f.put("remote_address", String.valueOf(e.remoteAddress()));
    f.put("proxies_released", e.proxiesReleased());
    f.put("replaced", e.replaced());
    send("client_disconnected", e.time(), f);
    if (!e.replaced()) {
      last.keySet().removeIf(k -> k.startsWith(e.clientId() + "/"));
    }
  }

  @Override
  public void proxyBound(ServerEvent.ProxyBound e) {
    ProxyStatus before = last.put(key(e.clientId(), e.proxyName()), ProxyStatus.HEALTHY);
    if (before == ProxyStatus.UNHEALTHY || before == ProxyStatus.BIND_FAILED) {
      Map<String, Object> f = proxy(e.clientId(), e.proxyName());
      f.put("address", e.address().getHostString() + ":" + e.address().getPort());
      f.put("retries", e.retries());
      send("proxy_recovered", e.time(), f);
    }
  }

  @Override
  public void bindRetryScheduled(ServerEvent.BindRetryScheduled e) {
    ProxyStatus before = last.put(key(e.clientId(), e.proxyName()), ProxyStatus.UNHEALTHY);
    if (before != ProxyStatus.UNHEALTHY) {
      Map<String, Object> f = proxy(e.clientId(), e.proxyName());
      f.put("publish_addr", e.publishAddr());
      f.put("publish_port", e.publishPort());
      f.put("error", e.message());
      f.put("attempt", e.attempt());
      f.put("max_retries", e.maxRetries());
      f.put("retry_in_seconds", e.delay().toMillis() / 1000.0);
      send("proxy_unhealthy", e.time(), f);
    }
  }

  @Override
  public void bindFailed(ServerEvent.BindFailed e) {
    last.put(key(e.clientId(), e.proxyName()), ProxyStatus.BIND_FAILED);
    Map<String, Object> f = proxy(e.clientId(), e.proxyName());
    f.put("publish_addr", e.publishAddr());
    f.put("publish_port", e.publishPort());
    f.put("error", e.message());
    f.put("retries", e.retries());
    send("proxy_bind_failed", e.time(), f);
  }

  private static String key(String clientId, String proxy) {
    return clientId + "/" + proxy;
  }

  private static Map<String, Object> proxy(String clientId, String proxy) {
    Map<String, Object> f = new HashMap<>();
    f.put("client_id", clientId);
    f.put("proxy", proxy);
    return f;
  }

  private void send(String event, Instant time, Map<String, Object> fields) {
    fields.values().removeIf(java.util.Objects::isNull);
    targets.publish(new Notice(event, time, "server", fields));
  }
}
