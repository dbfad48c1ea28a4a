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
   * A stream the server opened is connected to its proxy's local service and relays.
   *
   * @param peer the public peer's {@code addr:port}, as the server saw it
   * @param dialTime how long connecting the local service took, retries included
   */
  record ConnectionOpened(Instant time, String proxyName, String peer, Duration dialTime)
      implements ClientEvent {}

  /**
   * A stream the server opened was given up before it relayed anything.
   *
   * @param reason {@code local_connect_failed} (every attempt to connect the local service failed)
   *     or {@code unknown_proxy} (no proxy of that name here)
   * @param message what went wrong, for a user
   */
  record ConnectionFailed(
      Instant time, String proxyName, String peer, String reason, String message)
      implements ClientEvent {}

  /**
   * A relayed connection closed.
   *
   * @param bytesIn bytes from the public peer written to the local service
   * @param bytesOut bytes from the local service sent towards the public peer
   * @param duration how long it relayed
   */
  record ConnectionClosed(
      Instant time, String proxyName, String peer, long bytesIn, long bytesOut, Duration duration)
      implements ClientEvent {}

  /**
   * A visitor's connections are refused for a new reason: reported once per reason, like its log
   * line, not for every connection.
   *
   * @param visitorName the visitor ({@code [[visitors]] name})
   * @param target the private proxy it reaches, {@code client_id/proxy}
   * @param reason a fixed word: the server's reason ({@code target_offline}, {@code unknown_proxy},
   *     {@code not_allowed}, {@code wrong_secret}, ...) or {@code not_connected}, {@code stream},
   *     {@code closed}, {@code malformed} when no answer came
   * @param message what went wrong, for a user
   */
  record VisitorRefused(
      Instant time, String visitorName, String target, String reason, String message)
      implements ClientEvent {}

  /**
   * A reload of the configuration ended (not a dry run): applied, unchanged, refused or rolled
   * back, with every change and what became of it.
   */
  record Reloaded(Instant time, ReloadResult result) implements ClientEvent {}

  /** The client ended; nothing of it runs any more. */
  record Stopped(Instant time, ClientExit exit) implements ClientEvent {}
}
