package dev.tlstunnel.server;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.Version;
import dev.tlstunnel.metrics.BoundedSeries;
import dev.tlstunnel.metrics.Exposition;
import dev.tlstunnel.metrics.Traffic;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.notify.Notifications;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/** The server's {@code /metrics}, every name as docs/METRICS.md lists it. */
final class ServerExposition {
  private ServerExposition() {}

  static String text(ServerContext context, ServerSnapshot s, Notifications notify) {
    ServerMetrics m = context.metrics;
    Exposition e = new Exposition();
    e.gauge(
        "tlstunnel_build_info",
        null,
        "The software version; always 1.",
        p -> p.add(1, "version", Version.VERSION, "side", "server"));
    e.gauge(
        "tlstunnel_server_start_time_seconds",
        Unit.SECONDS,
        "When the server started, in seconds since the epoch.",
        p -> p.add(m.startedAt().toEpochMilli() / 1000.0));
    e.gauge(
        "tlstunnel_server_clients",
        null,
        "Client sessions connected now.",
        p -> p.add(s.sessions().size()));
    e.gauge(
        "tlstunnel_server_tunnel_connections",
        null,
        "Tunnel connections open now, authenticated or not.",
        p -> p.add(s.tunnelConnections()));
    e.counter(
        "tlstunnel_server_rejected_connections",
        null,
        "Tunnel connections refused before TLS (rate, caps, authentication penalty).",
        p -> p.add(s.rejectedConnections()));
    sessions(e, context, s);
    proxies(e, m, s);
    e.gauge(
        "tlstunnel_metrics_label_overflow",
        null,
        "1 when more names than metrics_label_limit were seen and the rest share the value"
            + " _other.",
        p -> {
          p.add(m.allTraffic().overflowed() ? 1 : 0, "label", "proxy");
          p.add(m.clients().overflowed() ? 1 : 0, "label", "client");
        });
    notify.writeTo(e);
    if (context.cluster != null) {
      ClusterMetrics.writeTo(e, context.cluster);
    }
    return e.text();
  }

  private static void sessions(Exposition e, ServerContext context, ServerSnapshot s) {
    BoundedSeries<ServerMetrics.ClientCounts> clients = context.metrics.clients();
    e.counter(
        "tlstunnel_client_sessions",
        null,
        "Sessions a client id started (each authenticated connection).",
        p -> clients.forEach((id, c) -> p.add(c.connects.sum(), "client", id)));
    e.counter(
        "tlstunnel_client_disconnects",
        null,
        "Sessions of a client id that ended.",
        p -> clients.forEach((id, c) -> p.add(c.disconnects.sum(), "client", id)));
    List<ServerSession> live = new ArrayList<>();
    for (ServerSnapshot.SessionInfo info : s.sessions()) {
      ServerSession session = context.sessionsByClientId.get(info.clientId());
      if (session != null && clients.peek(info.clientId()) != null) {
        live.add(session);
      }
    }
    e.gauge(
        "tlstunnel_client_connected",
        null,
        "1 for each client id with a session now.",
        p -> live.forEach(x -> p.add(1, "client", x.clientId())));
    e.gauge(
        "tlstunnel_client_rtt_seconds",
        Unit.SECONDS,
        "Smoothed round-trip time of the session's yamux pings.",
        p ->
            live.forEach(
                x -> {
                  YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(x.tunnel());
                  if (mux != null && mux.rttNanos() > 0) {
                    p.add(mux.rttNanos() / 1e9, "client", x.clientId());
                  }
                }));
    e.gauge(
        "tlstunnel_client_session_start_time_seconds",
        Unit.SECONDS,
        "When the client's current session started, in seconds since the epoch.",
        p ->
            live.forEach(
                x -> {
                  ServerMetrics.SessionView v = context.metrics.session(x.clientId());
                  if (v != null) {
                    p.add(v.connectedAt().toEpochMilli() / 1000.0, "client", x.clientId());
                  }
                }));
    e.gauge(
        "tlstunnel_client_info",
        null,
        "The client's version and transport; always 1.",
        p ->
            s.sessions()
                .forEach(
                    info -> {
                      ServerMetrics.SessionView v = context.metrics.session(info.clientId());
                      if (v != null && clients.peek(info.clientId()) != null) {
                        p.add(
                            1,
                            "client",
                            info.clientId(),
                            "version",
                            String.valueOf(v.version()),
                            "transport",
                            info.transport());
                      }
                    }));
  }

  private static void proxies(Exposition e, ServerMetrics m, ServerSnapshot s) {
    List<Exposition.Labelled> series = new ArrayList<>();
    m.allTraffic().forEach((name, t) -> series.add(Exposition.Labelled.of(t, labels(m, name))));
    Exposition.traffic(e, "tlstunnel_proxy", "proxy", series);
    e.counter(
        "tlstunnel_proxy_bind_attempts",
        null,
        "Attempts to bind the proxy's published port (first attempts and retries).",
        p -> m.bindAttempts().forEach((name, n) -> p.add(n.sum(), labels(m, name))));
    e.gauge(
        "tlstunnel_proxy_state",
        null,
        "1 for the proxy's current state (pending, healthy, unhealthy, bind_failed), else 0.",
        p -> {
          for (ServerSnapshot.ProxyInfo info : s.proxies()) {
            Traffic own = m.allTraffic().peek(info.name());
            if (own == null) {
              continue;
            }
            for (ProxyStatus status : ProxyStatus.values()) {
              if (status != ProxyStatus.REJECTED) {
                p.add(
                    info.status() == status ? 1 : 0,
                    "proxy",
                    info.name(),
                    "client",
                    info.clientId(),
                    "state",
                    status.wireName());
              }
            }
          }
        });
  }

  private static String[] labels(ServerMetrics m, String proxy) {
    if (proxy.equals(BoundedSeries.OVERFLOW)) {
      return new String[] {"proxy", proxy, "client", BoundedSeries.OVERFLOW};
    }
    String owner = m.ownerOf(proxy);
    return new String[] {"proxy", proxy, "client", owner == null ? "" : owner};
  }
}
