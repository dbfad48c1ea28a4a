package dev.tlstunnel.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.Version;
import dev.tlstunnel.metrics.Stats;
import dev.tlstunnel.metrics.Traffic;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The server's JSON API, as docs/API.md documents it: {@code /api/server}, {@code /api/clients},
 * {@code /api/clients/{id}}, {@code /api/proxies}, {@code /api/proxies/{name}}, and the {@code
 * tick} of the event stream. Built at each request from the live snapshot and {@link
 * ServerMetrics}.
 */
final class ServerApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerContext context;
  private final Supplier<ServerSnapshot> snapshot;
  private final Supplier<String> tunnelAddress;

  ServerApi(ServerContext context, Supplier<ServerSnapshot> snapshot, Supplier<String> address) {
    this.context = context;
    this.snapshot = snapshot;
    this.tunnelAddress = address;
  }

  String server() {
    ServerSnapshot s = snapshot.get();
    ServerMetrics m = context.metrics;
    Instant now = context.events.clock().instant();
    ObjectNode n = JSON.createObjectNode();
    n.put("version", Version.VERSION);
    n.put("tunnel_address", tunnelAddress.get());
    n.put("transport", context.config.transport().transport().configName());
    n.put("started_at", m.startedAt().toString());
    n.put("uptime_seconds", seconds(Duration.between(m.startedAt(), now)));
    n.put("clients", s.sessions().size());
    n.put("proxies", s.proxies().size());
    ObjectNode byStatus = n.putObject("proxies_by_status");
    for (ProxyStatus status : ProxyStatus.values()) {
      if (status != ProxyStatus.REJECTED) {
        byStatus.put(
            status.wireName(), s.proxies().stream().filter(p -> p.status() == status).count());
      }
    }
    n.put("tunnel_connections", s.tunnelConnections());
    n.put("unauthenticated", s.unauthenticated());
    n.put("rejected_connections", s.rejectedConnections());
    Stats total = Stats.ZERO;
    for (ServerSnapshot.ProxyInfo p : s.proxies()) {
      total = total.plus(stats(p.name()));
    }
    total.writeTo(n.putObject("stats"));
    return n.toString();
  }

  String clients() {
    ServerSnapshot s = snapshot.get();
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("clients");
    for (ServerSnapshot.SessionInfo session : s.sessions()) {
      list.add(client(session, s, false));
    }
    return root.toString();
  }

  /** One client with its proxies in full, or null when it has no session. */
  String client(String id) {
    ServerSnapshot s = snapshot.get();
    return s.sessions().stream()
        .filter(x -> x.clientId().equals(id))
        .findFirst()
        .map(x -> client(x, s, true).toString())
        .orElse(null);
  }

  String proxies() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("proxies");
    snapshot.get().proxies().forEach(p -> list.add(proxy(p)));
    return root.toString();
  }

  /** One proxy, or null when none of that name is registered. */
  String proxy(String name) {
    return snapshot.get().proxies().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .map(p -> proxy(p).toString())
        .orElse(null);
  }

  /** The event stream's {@code tick}: totals and each proxy's live numbers. */
  String tick() {
    ServerSnapshot s = snapshot.get();
    ObjectNode n = JSON.createObjectNode();
    n.put("time", context.events.clock().instant().toString());
    n.put("clients", s.sessions().size());
    ObjectNode proxies = n.putObject("proxies");
    Stats total = Stats.ZERO;
    for (ServerSnapshot.ProxyInfo p : s.proxies()) {
      Stats st = stats(p.name());
      total = total.plus(st);
      ObjectNode pn = proxies.putObject(p.name());
      pn.put("client_id", p.clientId());
      pn.put("status", p.status().wireName());
      st.writeBriefTo(pn);
    }
    total.writeBriefTo(n.putObject("total"));
    return n.toString();
  }

  private ObjectNode client(ServerSnapshot.SessionInfo info, ServerSnapshot s, boolean full) {
    ServerMetrics.SessionView view = context.metrics.session(info.clientId());
    ServerSession live = context.sessionsByClientId.get(info.clientId());
    Instant now = context.events.clock().instant();
    ObjectNode n = JSON.createObjectNode();
    n.put("client_id", info.clientId());
    n.put(
        "remote_address",
        view == null || view.remoteAddress() == null
            ? info.remoteAddress()
            : view.remoteAddress().getHostString() + ":" + view.remoteAddress().getPort());
    n.put("client_version", view == null ? null : view.version());
    n.put("transport", info.transport());
    n.put("connected_since", view == null ? null : view.connectedAt().toString());
    n.put(
        "uptime_seconds", view == null ? null : seconds(Duration.between(view.connectedAt(), now)));
    long rtt = live == null ? 0 : rttNanos(live);
    n.put("rtt_seconds", rtt == 0 ? null : rtt / 1e9);
    n.put("open_streams", info.openStreams());
    n.put("public_connections", info.publicConnections());
    ServerMetrics.ClientCounts counts = context.metrics.clients().peek(info.clientId());
    n.put("sessions_total", counts == null ? 0 : counts.connects.sum());
    List<ServerSnapshot.ProxyInfo> mine = new ArrayList<>();
    s.proxies().stream().filter(p -> p.clientId().equals(info.clientId())).forEach(mine::add);
    ArrayNode proxies = n.putArray("proxies");
    Stats total = Stats.ZERO;
    for (ServerSnapshot.ProxyInfo p : mine) {
      total = total.plus(stats(p.name()));
      if (full) {
        proxies.add(proxy(p));
      } else {
        proxies.add(p.name());
      }
    }
    total.writeTo(n.putObject("stats"));
    return n;
  }

  private ObjectNode proxy(ServerSnapshot.ProxyInfo p) {
    ServerMetrics.ProxyView view = context.metrics.proxy(p.name());
    if (view != null && !view.clientId().equals(p.clientId())) {
      view = null;
    }
    Instant now = context.events.clock().instant();
    ObjectNode n = JSON.createObjectNode();
    n.put("name", p.name());
    n.put("client_id", p.clientId());
    n.put("publish_addr", p.publishAddr());
    n.put("publish_port", p.publishPort());
    n.put("bound_port", p.boundPort() == 0 ? null : p.boundPort());
    n.put("status", p.status().wireName());
    n.put("visibility", p.privateProxy() ? "private" : "public");
    n.put("attempt", view == null ? null : view.attempt());
    n.put(
        "max_retries",
        view == null || view.status() == ProxyStatus.HEALTHY ? null : view.maxRetries());
    n.put("last_error", view == null ? null : view.error());
    Instant next = view == null || !p.retryPending() ? null : view.nextRetryAt();
    n.put("next_retry_at", next == null ? null : next.toString());
    n.put(
        "retry_after_seconds",
        next == null ? null : Math.max(0, seconds(Duration.between(now, next))));
    n.put("changed_at", view == null ? null : view.changedAt().toString());
    var attempts = context.metrics.bindAttempts().peek(p.name());
    n.put("bind_attempts", attempts == null ? 0 : attempts.sum());
    stats(p.name()).writeTo(n.putObject("stats"));
    return n;
  }

  private Stats stats(String proxy) {
    Traffic t = context.metrics.allTraffic().peek(proxy);
    return t == null ? Stats.ZERO : t.stats();
  }

  private static long rttNanos(ServerSession session) {
    YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(session.tunnel());
    return mux == null ? 0 : mux.rttNanos();
  }

  static double seconds(Duration d) {
    return Math.round(d.toNanos() / 1e6) / 1e3;
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
