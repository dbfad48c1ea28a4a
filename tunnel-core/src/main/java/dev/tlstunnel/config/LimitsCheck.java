package dev.tlstunnel.config;

import java.time.Duration;

/** Range checks of {@link Limits}: each bound between its floor and the protocol's ceiling. */
final class LimitsCheck {
  private LimitsCheck() {}

  static void check(Limits l, String key, Problems p) {
    range(l.maxControlFrame(), 4096, Limits.CEILING_CONTROL_FRAME, key + ".max_control_frame", p);
    range(l.maxProxiesPerClient(), 1, Limits.CEILING_PROXIES, key + ".max_proxies_per_client", p);
    range(l.maxStreamsPerSession(), 2, Limits.CEILING_STREAMS, key + ".max_streams_per_session", p);
    range(l.maxConnectionsPerProxy(), 1, 1 << 20, key + ".max_connections_per_proxy", p);
    range(l.maxPendingConnects(), 1, 1 << 20, key + ".max_pending_connects", p);
    range(
        l.maxReceiveWindow(),
        Limits.FLOOR_RECEIVE_WINDOW,
        Limits.CEILING_RECEIVE_WINDOW,
        key + ".max_receive_window",
        p);
    range(l.maxSessionWindow(), 0, Limits.CEILING_SESSION_WINDOW, key + ".max_session_window", p);
    range(l.maxFramePayload(), 1024, Limits.CEILING_FRAME_PAYLOAD, key + ".max_frame_payload", p);
    range(l.maxUnauthenticated(), 1, 1 << 20, key + ".max_unauthenticated", p);
    range(l.maxUnauthenticatedPerIp(), 1, 1 << 20, key + ".max_unauthenticated_per_ip", p);
    range(l.connectionRate(), 1, 1 << 20, key + ".connection_rate", p);
    range(l.connectionBurst(), 1, 1 << 20, key + ".connection_burst", p);
    Duration penalty = l.authPenaltyMax();
    if (penalty == null || penalty.isNegative() || penalty.compareTo(Duration.ofDays(1)) > 0) {
      p.error(
          key + ".auth_penalty_max",
          "must be between 0s and 1d, got " + (penalty == null ? null : Durations.format(penalty)));
    }
  }

  private static void range(int value, int min, int max, String key, Problems p) {
    if (value < min || value > max) {
      p.error(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }
}
