package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.ReloadResult;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link TunnelClient} reports to its {@link TunnelClient.Listener}s, in the order it
 * happened. Every event carries the time it happened (from the client's clock, which follows its
 * event loop's ticker).
 */
public sealed interface ClientEvent {
  /** When it happened. */
  Instant time();

  /**
   * An attempt to connect starts.
   *
   * @param server {@code host:port}
   * @param attempt 1 for the first attempt since the client started or was last connected
   */
  record Connecting(Instant time, String server, int attempt) implements ClientEvent {}

  /** The server accepted the key: proxies are being registered. */
  record Connected(Instant time, String server, String clientId, String serverVersion)
      implements ClientEvent {}

  /**
   * An attempt to connect failed before the session was up.
   *
   * @param retryIn the wait before the next attempt, or null when the client ends instead
   */
  record ConnectFailed(Instant time, Failure failure, Duration retryIn) implements ClientEvent {}

  /**
   * A session that was up ended.
   *
   * @param failure why; {@code CONNECTION_LOST} for a dropped tunnel
   * @param retryIn the wait before reconnecting, or null when the client ends instead
   */
  record Disconnected(Instant time, Failure failure, Duration retryIn) implements ClientEvent {}

  /**
   * The server accepted a proxy's registration; it binds the published port next.
   *
   * @param note what the server changed in the asked retry policy, or null
   */
  record ProxyRegistered(Instant time, String proxyName, String note) implements ClientEvent {}

  /** The server refused a proxy's registration. */
  record ProxyRejected(Instant time, String proxyName, String reason) implements ClientEvent {}

  /**
   * A proxy's state changed: every {@code proxy_status_update} that changes something, a rejection,
   * and the return to {@code PENDING} when the session ends.
   *
   * @param previous the state before
   * @param current the state now
   */
  record ProxyStatusChanged(Instant time, ProxyState previous, ProxyState current)
      implements ClientEvent {}

  /**
   * A reload of the configuration ended (not a dry run): applied, unchanged, refused or rolled
   * back, with every change and what became of it.
   */
  record Reloaded(Instant time, ReloadResult result) implements ClientEvent {}

  /** The client ended; nothing of it runs any more. */
  record Stopped(Instant time, ClientExit exit) implements ClientEvent {}
}
