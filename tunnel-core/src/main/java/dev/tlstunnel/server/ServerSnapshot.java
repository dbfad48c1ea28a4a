package dev.tlstunnel.server;

import java.util.List;

/**
 * What a server holds right now: its sessions and every registered proxy.
 *
 * @param sessions authenticated sessions
 * @param proxies every registered proxy
 */
public record ServerSnapshot(List<SessionInfo> sessions, List<ProxyInfo> proxies) {

  public ServerSnapshot {
    sessions = List.copyOf(sessions);
    proxies = List.copyOf(proxies);
  }

  /** One authenticated client session. */
  public record SessionInfo(String clientId, String remoteAddress, int openStreams) {}

  /**
   * One registered proxy.
   *
   * @param status {@code binding}, {@code healthy}, {@code unhealthy} or {@code bind_failed}
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

  /** Proxies with a bind retry scheduled. */
  public long pendingRetries() {
    return proxies.stream().filter(ProxyInfo::retryPending).count();
  }
}
