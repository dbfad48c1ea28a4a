package dev.tlstunnel.client;

import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.Version;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.metrics.BoundedSeries;
import dev.tlstunnel.metrics.Exposition;
import dev.tlstunnel.notify.Notifications;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/** The client's {@code /metrics}, every name as docs/METRICS.md lists it. */
final class ClientExposition {
  private static final String[] FORWARDER_STATES = {
    "pending", "healthy", "unhealthy", "bind_failed"
  };

  private ClientExposition() {}

  static String text(ClientStatus s, ClientMetrics m, long rttNanos, Notifications notify) {
    String id = s.clientId();
    Exposition e = new Exposition();
    e.gauge(
        "tlstunnel_build_info",
        null,
        "The software version; always 1.",
        p -> p.add(1, "version", Version.VERSION, "side", "client"));
    e.gauge(
        "tlstunnel_client_start_time_seconds",
        Unit.SECONDS,
        "When the client started, in seconds since the epoch.",
        p -> p.add(m.startedAt().toEpochMilli() / 1000.0, "client", id));
    e.gauge(
        "tlstunnel_client_connected",
        null,
        "1 while the session with the server is up, else 0.",
        p -> p.add(s.sessionState() == SessionState.CONNECTED ? 1 : 0, "client", id));
    e.counter(
        "tlstunnel_client_sessions",
        null,
        "Sessions the client started (each time the server accepted its key).",
        p -> p.add(m.connects.sum(), "client", id));
    e.counter(
        "tlstunnel_client_connect_failures",
        null,
        "Attempts to connect that failed before a session was up.",
        p -> p.add(m.connectFailures.sum(), "client", id));
    e.counter(
        "tlstunnel_client_disconnects",
        null,
        "Sessions that ended.",
        p -> p.add(m.disconnects.sum(), "client", id));
    e.gauge(
        "tlstunnel_client_rtt_seconds",
        Unit.SECONDS,
        "Smoothed round-trip time of the session's yamux pings.",
        p -> {
          if (rttNanos > 0) {
            p.add(rttNanos / 1e9, "client", id);
          }
        });
    e.gauge(
        "tlstunnel_client_session_start_time_seconds",
        Unit.SECONDS,
        "When the current session started, in seconds since the epoch.",
        p -> {
          if (m.connectedAt() != null) {
            p.add(m.connectedAt().toEpochMilli() / 1000.0, "client", id);
          }
        });
    proxies(e, s, m);
    forwarders(e, s.forwarders());
    visitors(e, s.visitors());
    e.gauge(
        "tlstunnel_metrics_label_overflow",
        null,
        "1 when more names than metrics_label_limit were seen and the rest share the value"
            + " _other.",
        p -> p.add(m.allTraffic().overflowed() ? 1 : 0, "label", "proxy"));
    notify.writeTo(e);
    return e.text();
  }

  private static void proxies(Exposition e, ClientStatus s, ClientMetrics m) {
    String id = s.clientId();
    List<Exposition.Labelled> series = new ArrayList<>();
    m.allTraffic()
        .forEach(
            (name, t) ->
                series.add(
                    Exposition.Labelled.of(
                        t,
                        "proxy",
                        name,
                        "client",
                        name.equals(BoundedSeries.OVERFLOW) ? BoundedSeries.OVERFLOW : id)));
    Exposition.traffic(e, "tlstunnel_proxy", "proxy", series);
    e.histogram(
        "tlstunnel_proxy_local_dial_duration_seconds",
        "How long connecting the proxy's local service took, retries included.",
        p -> series.forEach(x -> p.add(x.traffic().dials(), x.labels())));
    e.gauge(
        "tlstunnel_proxy_state",
        null,
        "1 for the proxy's current state (pending, healthy, unhealthy, bind_failed, rejected),"
            + " else 0.",
        p -> {
          for (ProxyState state : s.proxies()) {
            for (ProxyStatus status : ProxyStatus.values()) {
              p.add(
                  state.status() == status ? 1 : 0,
                  "proxy",
                  state.name(),
                  "client",
                  id,
                  "state",
                  status.wireName());
            }
          }
        });
  }

  private static void forwarders(Exposition e, List<ForwarderState> forwarders) {
    e.gauge(
        "tlstunnel_forwarder_connections_active",
        null,
        "Application connections of the forwarder open now.",
        p -> forwarders.forEach(f -> p.add(f.activeConnections(), "forwarder", f.name())));
    e.counter(
        "tlstunnel_forwarder_connections",
        null,
        "Application connections the forwarder accepted.",
        p -> forwarders.forEach(f -> p.add(f.totalConnections(), "forwarder", f.name())));
    e.counter(
        "tlstunnel_forwarder_connections_rejected",
        null,
        "Connections closed at accept because max_connections were open.",
        p -> forwarders.forEach(f -> p.add(f.rejectedConnections(), "forwarder", f.name())));
    e.counter(
        "tlstunnel_forwarder_routes",
        null,
        "Targets by the route taken: direct, tunnel, or block (refused).",
        p ->
            forwarders.forEach(
                f -> {
                  p.add(f.direct(), "forwarder", f.name(), "route", "direct");
                  p.add(f.tunneled(), "forwarder", f.name(), "route", "tunnel");
                  p.add(f.blocked(), "forwarder", f.name(), "route", "block");
                }));
    e.counter(
        "tlstunnel_forwarder_received_bytes",
        Unit.BYTES,
        "Bytes received from applications.",
        p -> forwarders.forEach(f -> p.add(f.bytesIn(), "forwarder", f.name())));
    e.counter(
        "tlstunnel_forwarder_sent_bytes",
        Unit.BYTES,
        "Bytes sent to applications.",
        p -> forwarders.forEach(f -> p.add(f.bytesOut(), "forwarder", f.name())));
    e.gauge(
        "tlstunnel_forwarder_state",
        null,
        "1 for the forwarder listener's current state, else 0.",
        p ->
            forwarders.forEach(
                f -> {
                  for (String state : FORWARDER_STATES) {
                    p.add(state.equals(f.status()) ? 1 : 0, "forwarder", f.name(), "state", state);
                  }
                }));
  }

  private static void visitors(Exposition e, List<VisitorState> visitors) {
    e.gauge(
        "tlstunnel_visitor_connections_active",
        null,
        "Local connections of the visitor open now.",
        p -> visitors.forEach(v -> p.add(v.activeConnections(), "visitor", v.name())));
    e.counter(
        "tlstunnel_visitor_connections",
        null,
        "Local connections the visitor accepted.",
        p -> visitors.forEach(v -> p.add(v.totalConnections(), "visitor", v.name())));
    e.gauge(
        "tlstunnel_visitor_state",
        null,
        "1 for the visitor listener's current state (pending, healthy, unhealthy, bind_failed),"
            + " else 0.",
        p ->
            visitors.forEach(
                v -> {
                  for (ProxyStatus status : ProxyStatus.values()) {
                    if (status != ProxyStatus.REJECTED) {
                      p.add(
                          status == v.status() ? 1 : 0,
                          "visitor",
                          v.name(),
                          "target",
                          v.target(),
                          "state",
                          status.wireName());
                    }
                  }
                }));
  }
}
