package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.config.Durations;
import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import java.util.Objects;

/**
 * The plan of a server's reload, setting by setting. Everything but the tunnel port's address can
 * change while running: the auth key (the previous one is accepted for {@code
 * key_rotation_window}), the certificate (for new handshakes), limits, admission, egress, bind
 * retry and the transport settings of new connections. Open sessions keep what they were set up
 * with.
 */
public final class ServerPlan {
  private static final String RESTART_SERVER =
      "cannot change while the server runs; restart the server to apply it";
  private static final String NEW_CONNECTIONS = "new connections; open sessions keep theirs";
  private static final String NEW_SESSIONS = "new sessions";
  private static final String NOW = "at once";

  private ServerPlan() {}

  /**
   * What {@code next} changes compared with {@code current}.
   *
   * @param currentTls what the running certificate files held (null: none)
   * @param nextTls what they hold now (null: none)
   */
  public static Plan of(
      ServerConfig current, ServerConfig next, TlsFiles currentTls, TlsFiles nextTls) {
    PlanBuilder plan = new PlanBuilder();
    Action u = Action.UPDATE;
    plan.setting(
            "server.bind_addr", current.bindAddr(), next.bindAddr(), Action.REFUSED, RESTART_SERVER)
        .setting(
            "server.bind_port", current.bindPort(), next.bindPort(), Action.REFUSED, RESTART_SERVER)
        .hidden("server.auth_key", current.authKey(), next.authKey(), u, rotation(next));
    MonitoringPlan.add(
        plan, "server", current.monitoring(), next.monitoring(), true, RESTART_SERVER);
    tls(plan, current, next, currentTls, nextTls);
    plan.setting(
            "server.handshake_timeout",
            current.handshakeTimeout(),
            next.handshakeTimeout(),
            u,
            NEW_CONNECTIONS)
        .setting(
            "server.keepalive_interval",
            current.keepAlive().interval(),
            next.keepAlive().interval(),
            u,
            NEW_SESSIONS)
        .setting(
            "server.keepalive_timeout",
            current.keepAlive().timeout(),
            next.keepAlive().timeout(),
            u,
            NEW_SESSIONS)
        .setting("server.shutdown_grace", current.shutdownGrace(), next.shutdownGrace(), u, null);
    Fields retry = new Fields();
    ClientPlan.retry(retry, "server.bind_retry", current.bindRetry(), next.bindRetry());
    if (!retry.isEmpty()) {
      plan.add(
          Kind.SETTING, "server.bind_retry", u, retry.text() + " (proxies registered from now on)");
    }
    transport(plan, current.transport(), next.transport());
    limits(plan, current.limits(), next.limits());
    egress(plan, current.egress(), next.egress());
    Settings.reload(plan, "server", current.reload(), next.reload(), true);
    return plan.build();
  }

  private static String rotation(ServerConfig next) {
    if (next.reload().keyRotationWindow().isZero()) {
      return "the previous key stops working at once (key_rotation_window 0s); open sessions stay";
    }
    return "the previous key is still accepted for key_rotation_window ("
        + Durations.format(next.reload().keyRotationWindow())
        + "); open sessions stay";
  }

  private static void tls(
      PlanBuilder plan, ServerConfig a, ServerConfig b, TlsFiles was, TlsFiles now) {
    boolean paths =
        !Objects.equals(a.certPath(), b.certPath()) || !Objects.equals(a.keyPath(), b.keyPath());
    boolean content = !Objects.equals(was, now);
    if (!paths && !content) {
      return;
    }
    String detail =
        paths
            ? new Fields()
                .add("cert_path", a.certPath(), b.certPath())
                .add("key_path", a.keyPath(), b.keyPath())
                .text()
            : "certificate files changed";
    String fingerprints =
        new Fields()
            .add(
                "fingerprint",
                was == null ? null : was.fingerprint(),
                now == null ? null : now.fingerprint())
            .text();
    if (fingerprints != null) {
      detail += ", " + fingerprints;
    }
    plan.add(
        Kind.SETTING,
        "server.cert_path",
        Action.UPDATE,
        detail + " (new handshakes use it; open sessions keep theirs)");
  }

  private static void transport(
      PlanBuilder plan, ServerTransportConfig a, ServerTransportConfig b) {
    Action u = Action.UPDATE;
    plan.setting(
            "server.transport",
            a.transport().configName(),
            b.transport().configName(),
            u,
            NEW_CONNECTIONS)
        .setting("server.path", a.path(), b.path(), u, NEW_CONNECTIONS)
        .setting("server.decoy_page", a.decoyPage(), b.decoyPage(), u, NEW_CONNECTIONS)
        .setting("server.behind_proxy", a.behindProxy(), b.behindProxy(), u, NEW_CONNECTIONS)
        .setting(
            "server.trusted_proxies", a.trustedProxies(), b.trustedProxies(), u, NEW_CONNECTIONS);
  }

  private static void limits(PlanBuilder plan, Limits a, Limits b) {
    Action u = Action.UPDATE;
    String k = "server.limits.";
    plan.setting(k + "connection_rate", a.connectionRate(), b.connectionRate(), u, NOW)
        .setting(k + "connection_burst", a.connectionBurst(), b.connectionBurst(), u, NOW)
        .setting(k + "max_unauthenticated", a.maxUnauthenticated(), b.maxUnauthenticated(), u, NOW)
        .setting(
            k + "max_unauthenticated_per_ip",
            a.maxUnauthenticatedPerIp(),
            b.maxUnauthenticatedPerIp(),
            u,
            NOW)
        .setting(k + "auth_penalty_max", a.authPenaltyMax(), b.authPenaltyMax(), u, NOW)
        .setting(
            k + "max_connections_per_proxy",
            a.maxConnectionsPerProxy(),
            b.maxConnectionsPerProxy(),
            u,
            "at once, in every session")
        .setting(
            k + "max_pending_connects",
            a.maxPendingConnects(),
            b.maxPendingConnects(),
            u,
            "at once, in every session")
        .setting(
            k + "max_proxies_per_client",
            a.maxProxiesPerClient(),
            b.maxProxiesPerClient(),
            u,
            "registrations from now on")
        .setting(k + "max_control_frame", a.maxControlFrame(), b.maxControlFrame(), u, NEW_SESSIONS)
        .setting(
            k + "max_streams_per_session",
            a.maxStreamsPerSession(),
            b.maxStreamsPerSession(),
            u,
            NEW_SESSIONS)
        .setting(
            k + "max_receive_window", a.maxReceiveWindow(), b.maxReceiveWindow(), u, NEW_SESSIONS)
        .setting(
            k + "max_session_window", a.maxSessionWindow(), b.maxSessionWindow(), u, NEW_SESSIONS)
        .setting(
            k + "max_frame_payload", a.maxFramePayload(), b.maxFramePayload(), u, NEW_SESSIONS);
  }

  private static void egress(PlanBuilder plan, EgressConfig a, EgressConfig b) {
    Action u = Action.UPDATE;
    String note = "new egress connections";
    String k = "server.egress.";
    plan.setting("server.allow_forward", a.allowForward(), b.allowForward(), u, note)
        .setting(k + "allow_cidrs", a.rules().allowCidrs(), b.rules().allowCidrs(), u, note)
        .setting(k + "deny_cidrs", a.rules().denyCidrs(), b.rules().denyCidrs(), u, note)
        .setting(k + "allow_ports", a.rules().allowPorts(), b.rules().allowPorts(), u, note)
        .setting(k + "deny_ports", a.rules().denyPorts(), b.rules().denyPorts(), u, note)
        .setting(k + "connect_timeout", a.connectTimeout(), b.connectTimeout(), u, note)
        .hidden(k + "clients", a.clients(), b.clients(), u, note);
  }
}
