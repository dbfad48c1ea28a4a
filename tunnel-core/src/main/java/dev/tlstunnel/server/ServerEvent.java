package dev.tlstunnel.server;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ReloadResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link TunnelServer} reports to its {@link TunnelServer.Listener}s. Every event carries
 * the time it happened (from the server's clock, which follows its event loops' ticker); the rest
 * are its facts. Events of one client session arrive in the order they happened.
 */
public sealed interface ServerEvent {
  /** When it happened. */
  Instant time();

  /** The tunnel port is bound; the server accepts clients. */
  record Started(Instant time, InetSocketAddress address) implements ServerEvent {}

  /**
   * A client authenticated.
   *
   * @param clientId its id
   * @param remoteAddress where its tunnel connection comes from
   * @param clientVersion its software version, as it says
   * @param replacedPrevious whether it replaced a live session with the same id (a takeover)
   */
  record ClientConnected(
      Instant time,
      String clientId,
      InetSocketAddress remoteAddress,
      String clientVersion,
      boolean replacedPrevious)
      implements ServerEvent {}

  /**
   * A client session ended: its listeners are closed and its timers cancelled.
   *
   * @param proxiesReleased how many proxies it had registered
   * @param replaced whether a newer session of the same client id replaced it
   */
  record ClientDisconnected(
      Instant time,
      String clientId,
      InetSocketAddress remoteAddress,
      int proxiesReleased,
      boolean replaced)
      implements ServerEvent {}

  /** A proxy registration was refused, with the reason sent to the client. */
  record ProxyRejected(Instant time, String clientId, String proxyName, String reason)
      implements ServerEvent {}

  /**
   * A proxy listens on its published port.
   *
   * @param address the bound address (the real port when 0 was asked for)
   * @param retries the retries it took (0 when the first attempt bound)
   */
  record ProxyBound(
      Instant time, String clientId, String proxyName, InetSocketAddress address, int retries)
      implements ServerEvent {}

  /**
   * A proxy's bind failed and a retry is scheduled.
   *
   * @param cause {@link FailureKind#PORT_IN_USE}, {@link FailureKind#PERMISSION_DENIED} or {@link
   *     FailureKind#BIND_FAILED}
   * @param message the diagnosis, e.g. {@code Port 8080 is already in use by another process}
   * @param attempt the attempt that failed (1 for the first)
   * @param maxRetries the retries allowed after the first attempt, -1 for no limit
   * @param delay the wait before the next attempt
   */
  record BindRetryScheduled(
      Instant time,
      String clientId,
      String proxyName,
      String publishAddr,
      int publishPort,
      FailureKind cause,
      String message,
      int attempt,
      int maxRetries,
      Duration delay)
      implements ServerEvent {}

  /**
   * A proxy's bind failed and no retry is left: the proxy is {@code bind_failed}.
   *
   * @param retries the retries made after the first attempt
   */
  record BindFailed(
      Instant time,
      String clientId,
      String proxyName,
      String publishAddr,
      int publishPort,
      FailureKind cause,
      String message,
      int retries)
      implements ServerEvent {}

  /**
   * A client reported that a proxy's local service changed its health-check verdict: while
   * unhealthy the proxy keeps its port but gets no connections (a group sends them to its other
   * members).
   *
   * @param reason when unhealthy: the client's reason, e.g. {@code 3 checks in a row failed: HTTP
   *     500 from /health}; null when healthy
   */
  record ProxyHealthChanged(
      Instant time, String clientId, String proxyName, boolean healthy, String reason)
      implements ServerEvent {}

  /** A connection was accepted on a published port and will get its own stream. */
  record PublicConnectionOpened(
      Instant time, String clientId, String proxyName, InetSocketAddress peer)
      implements ServerEvent {}

  /**
   * A connection to a published port was given up before it relayed anything.
   *
   * @param reason {@code max_connections_per_proxy} or {@code max_pending_connects} (closed at
   *     accept, a limit was reached) or {@code stream_open_failed} (no stream to the client)
   */
  record PublicConnectionRefused(
      Instant time, String clientId, String proxyName, InetSocketAddress peer, String reason)
      implements ServerEvent {}

  /**
   * A public connection closed.
   *
   * @param bytesFromPeer bytes received from the public peer (sent to the client)
   * @param bytesToPeer bytes sent to the public peer (received from the client)
   * @param duration how long it was open
   */
  record PublicConnectionClosed(
      Instant time,
      String clientId,
      String proxyName,
      InetSocketAddress peer,
      long bytesFromPeer,
      long bytesToPeer,
      Duration duration)
      implements ServerEvent {}

  /**
   * A reload of the configuration ended (not a dry run): applied, unchanged, refused or rolled
   * back, with every change and what became of it.
   */
  record Reloaded(Instant time, ReloadResult result) implements ServerEvent {}

  /** The server stopped: every session, listener and timer is closed. */
  record Stopped(Instant time) implements ServerEvent {}
}
