package dev.tlstunnel.server;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.metrics.BoundedSeries;
import dev.tlstunnel.metrics.Traffic;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and the latest state of its sessions and proxies, kept from its own
 * listener events: it is the first listener of every server. Bytes are added by {@link
 * ConnectionMeter} as they pass ({@link #traffic}); everything else comes from events. Counters of
 * at most {@code metrics_label_limit} proxies and clients are kept apart, the rest together ({@link
 * BoundedSeries}). Called on the sessions' event loops; read from any thread.
 */
final class ServerMetrics implements TunnelServer.Listener {
  /** A proxy's bind state, as the last event told it. */
  record ProxyView(
      String name,
      String clientId,
      String publishAddr,
      int publishPort,
      ProxyStatus status,
      InetSocketAddress bound,
      int attempt,
      int maxRetries,
      String error,
      Instant nextRetryAt,
      Instant changedAt) {}

  /** A session, as its {@code ClientConnected} event told it. */
  record SessionView(
      String clientId, InetSocketAddress remoteAddress, String version, Instant connectedAt) {}

  /** A client id's sessions: started, ended, replaced. */
  static final class ClientCounts {
    final LongAdder connects = new LongAdder();
    final LongAdder disconnects = new LongAdder();
  }

  private final BoundedSeries<Traffic> traffic;
  private final BoundedSeries<LongAdder> bindAttempts;
  private final BoundedSeries<ClientCounts> clients;
  private final Map<String, String> ownerOf = new ConcurrentHashMap<>();
  private final Map<String, ProxyView> proxies = new ConcurrentHashMap<>();
  private final Map<String, SessionView> sessions = new ConcurrentHashMap<>();
  private final Instant startedAt;

  ServerMetrics(int labelLimit, Instant startedAt) {
    this.traffic = new BoundedSeries<>(labelLimit, name -> new Traffic(false));
    this.bindAttempts = new BoundedSeries<>(labelLimit, name -> new LongAdder());
    this.clients = new BoundedSeries<>(labelLimit, name -> new ClientCounts());
    this.startedAt = startedAt;
  }

  /** The counters public connections of proxy {@code name} add their bytes to. */
  Traffic traffic(String proxyName) {
    return traffic.get(proxyName);
  }

  Instant startedAt() {
    return startedAt;
  }

  BoundedSeries<Traffic> allTraffic() {
    return traffic;
  }

  BoundedSeries<LongAdder> bindAttempts() {
    return bindAttempts;
  }

  BoundedSeries<ClientCounts> clients() {
    return clients;
  }

  /** The client id that last owned proxy {@code name}, or null. */
  String ownerOf(String proxyName) {
    return ownerOf.get(proxyName);
  }

  /** The state of proxy {@code name} while its session lives, or null. */
  ProxyView proxy(String name) {
    return proxies.get(name);
  }

  /** The session of {@code clientId}, or null. */
  SessionView session(String clientId) {
    return sessions.get(clientId);
  }

  /** Samples every rate; once a second. */
  void tick() {
    traffic.forEach((name, t) -> t.tick());
  }

  @Override
  public void clientConnected(ServerEvent.ClientConnected e) {
    sessions.put(
        e.clientId(),
        new SessionView(e.clientId(), e.remoteAddress(), e.clientVersion(), e.time()));
    clients.get(e.clientId()).connects.increment();
  }

  @Override
  public void clientDisconnected(ServerEvent.ClientDisconnected e) {
    clients.get(e.clientId()).disconnects.increment();
    SessionView s = sessions.get(e.clientId());
    if (s != null && (s.remoteAddress() == null || s.remoteAddress().equals(e.remoteAddress()))) {
      sessions.remove(e.clientId(), s);
      proxies.values().removeIf(p -> p.clientId().equals(e.clientId()));
    }
  }

  @Override
  public void proxyBound(ServerEvent.ProxyBound e) {
    attempt(e.proxyName(), e.clientId());
    ProxyView old = proxies.get(e.proxyName());
    proxies.put(
        e.proxyName(),
        new ProxyView(
            e.proxyName(),
            e.clientId(),
            e.address().getHostString(),
            old != null ? old.publishPort() : e.address().getPort(),
            ProxyStatus.HEALTHY,
            e.address(),
            e.retries() + 1,
            old != null ? old.maxRetries() : 0,
            null,
            null,
            e.time()));
  }

  @Override
  public void bindRetryScheduled(ServerEvent.BindRetryScheduled e) {
    attempt(e.proxyName(), e.clientId());
    proxies.put(
        e.proxyName(),
        new ProxyView(
            e.proxyName(),
            e.clientId(),
            e.publishAddr(),
            e.publishPort(),
            ProxyStatus.UNHEALTHY,
            null,
            e.attempt(),
            e.maxRetries(),
            e.message(),
            e.time().plus(e.delay()),
            e.time()));
  }

  @Override
  public void bindFailed(ServerEvent.BindFailed e) {
    attempt(e.proxyName(), e.clientId());
    proxies.put(
        e.proxyName(),
        new ProxyView(
            e.proxyName(),
            e.clientId(),
            e.publishAddr(),
            e.publishPort(),
            ProxyStatus.BIND_FAILED,
            null,
            e.retries() + 1,
            e.retries(),
            e.message(),
            null,
            e.time()));
  }

  private void attempt(String proxy, String clientId) {
    // Made here first, so that a proxy's series of every kind share the label bound alike.
    Traffic own = traffic.get(proxy);
    bindAttempts.get(proxy).increment();
    if (traffic.peek(proxy) == own) {
      ownerOf.put(proxy, clientId);
    }
  }

  @Override
  public void publicConnectionOpened(ServerEvent.PublicConnectionOpened e) {
    traffic.get(e.proxyName()).opened();
  }

  @Override
  public void publicConnectionClosed(ServerEvent.PublicConnectionClosed e) {
    traffic.get(e.proxyName()).closed(e.duration().toNanos());
  }

  @Override
  public void publicConnectionRefused(ServerEvent.PublicConnectionRefused e) {
    traffic.get(e.proxyName()).failed(e.reason());
  }
}
