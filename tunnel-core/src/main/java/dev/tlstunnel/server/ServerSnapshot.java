package dev.tlstunnel.server;

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
 */
public record ServerSnapshot(
    List<SessionInfo> sessions,
    List<ProxyInfo> proxies,
    int tunnelConnections,
    int keepAliveTimers,
    int unauthenticated,
    long rejectedConnections,
    long suppressedLogLines) {

  public ServerSnapshot {
    sessions = List.copyOf(sessions);
    proxies = List.copyOf(proxies);
  }

  /**
   * One authenticated client session.
   *
   * @param openStreams yamux streams open on its tunnel, the control stream included
   * @param publicConnections connections accepted on its published ports and still open
   * @param receiveBuffered bytes its streams received from the client and have not handed on yet
   * @param receiveWindowGrowth how far its streams' receive windows grew beyond 256 KiB each, in
   *     all (at most {@code limits.max_session_window})
   */
  public record SessionInfo(
      String clientId,
      String remoteAddress,
      int openStreams,
      int publicConnections,
      long receiveBuffered,
      long receiveWindowGrowth) {}

  /**
   * One registered proxy.
   *
   * @param status {@code binding}, {@code healthy}, {@code unhealthy}, {@code bind_failed}, or
   *     {@code private} for a private proxy (no listener; visitors only)
   * @param boundPort the port it listens on, or 0 when not listening
   * @param retryPending whether a bind retry timer is scheduled
   */
  public record ProxyInfo(
      String name,
      String clientId,
      String publishAddr,
      int publishPort,
      String status,
      int boundPort,
      boolean retryPending) {}

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
