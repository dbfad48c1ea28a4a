package dev.tlstunnel.server;

import dev.tlstunnel.ProxyStatus;
import java.util.List;

/**
 * What a server holds right now: its sessions and every registered proxy, plus the counts that show
 * nothing leaks (connections, keepalive timers).
 *
 * @param sessions authenticated sessions
 * @param proxies every registered proxy
 * @param tunnelConnections open tunnel connections, authenticated or not
 * @param keepAliveTimers tunnel connections whose keepalive timers are running
 * @param unauthenticated tunnel connections admitted and not yet authenticated
 * @param rejectedConnections tunnel connections refused before TLS (rate, caps, auth penalty)
 * @param suppressedLogLines WARN lines about strangers or bounds left out by the log rate limit
 * @param orphanedRegistrations proxy names still held in the registry by a session that is gone
 *     (always 0 unless something leaks)
 * @param groups every load-balancing group, with its members
 */
public record ServerSnapshot(
    List<SessionInfo> sessions,
    List<ProxyInfo> proxies,
    int tunnelConnections,
    int keepAliveTimers,
    int unauthenticated,
    long rejectedConnections,
    long suppressedLogLines,
    int orphanedRegistrations,
    List<GroupInfo> groups) {

  public ServerSnapshot {
    sessions = List.copyOf(sessions);
    proxies = List.copyOf(proxies);
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  /**
   * One authenticated client session.
   *
   * @param openStreams yamux streams open on its tunnel, the control stream included
   * @param publicConnections connections accepted on its published ports and still open
   * @param receiveBuffered bytes its streams received from the client and have not handed on yet
   * @param receiveWindowGrowth how far its streams' receive windows grew beyond 256 KiB each, in
   *     all (at most {@code limits.max_session_window})
   * @param transport {@code tls}, {@code wss} or {@code h2}
   */
  public record SessionInfo(
      String clientId,
      String remoteAddress,
      int openStreams,
      int publicConnections,
      long receiveBuffered,
      long receiveWindowGrowth,
      String transport) {}

  /**
   * One registered proxy.
   *
   * @param status {@code PENDING} (binding), {@code HEALTHY}, {@code UNHEALTHY}, {@code
   *     BIND_FAILED} or {@code LOCAL_UNHEALTHY} (listening, but its client reports its local
   *     service failing its health check); a private proxy (no listener) is {@code HEALTHY} once
   *     registered
   * @param boundPort the port it listens on, or 0 when not listening
   * @param retryPending whether a bind retry timer is scheduled
   * @param privateProxy whether it is private: no listener, only visitors reach it
   * @param group the load-balancing group it is a member of (whose listener it shares), or null
   */
  public record ProxyInfo(
      String name,
      String clientId,
      String publishAddr,
      int publishPort,
      ProxyStatus status,
      int boundPort,
      boolean retryPending,
      boolean privateProxy,
      String group) {

    /** A proxy in no group. */
    public ProxyInfo(
        String name,
        String clientId,
        String publishAddr,
        int publishPort,
        ProxyStatus status,
        int boundPort,
        boolean retryPending,
        boolean privateProxy) {
      this(
          name,
          clientId,
          publishAddr,
          publishPort,
          status,
          boundPort,
          retryPending,
          privateProxy,
          null);
    }
  }

  /**
   * A load-balancing group: one listener shared by its members.
   *
   * @param strategy {@code round_robin}, {@code least_connections}, {@code random} or {@code
   *     failover}
   * @param status its listener's state
   * @param boundPort the port it listens on, or 0 when not listening
   * @param members in the order they joined
   */
  public record GroupInfo(
      String name,
      String strategy,
      String publishAddr,
      int publishPort,
      ProxyStatus status,
      int boundPort,
      List<dev.tlstunnel.GroupMember> members) {

    public GroupInfo {
      members = List.copyOf(members);
    }
  }

  /** Proxies listening right now. */
  public long boundListeners() {
    return proxies.stream().filter(p -> p.boundPort() != 0).count();
  }

  /** Streams open over all sessions, control streams included. */
  public int openStreams() {
    return sessions.stream().mapToInt(SessionInfo::openStreams).sum();
  }

  /** Bind retry and keepalive timers scheduled. */
  public long timers() {
    return pendingRetries() + keepAliveTimers;
  }

  /** Proxies with a bind retry scheduled. */
  public long pendingRetries() {
    return proxies.stream().filter(ProxyInfo::retryPending).count();
  }
}
