package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.common.ListenerSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Builds the client's events and hands them to its listeners, on the calling thread (the client's
 * event loop, or the thread that closes it).
 */
final class ClientEvents {
  private final ListenerSet<TunnelClient.Listener> listeners;
  private final Clock clock;

  ClientEvents(List<TunnelClient.Listener> listeners, Clock clock) {
    this.listeners = new ListenerSet<>(listeners, TunnelClient.Listener.NONE);
    this.clock = clock;
  }

  Clock clock() {
    return clock;
  }

  void connecting(String server, int attempt) {
    listeners.fire(
        new ClientEvent.Connecting(clock.instant(), server, attempt),
        TunnelClient.Listener::connecting);
  }

  void connected(String server, String clientId, String serverVersion) {
    listeners.fire(
        new ClientEvent.Connected(clock.instant(), server, clientId, serverVersion),
        TunnelClient.Listener::connected);
  }

  void connectFailed(Failure failure, Duration retryIn) {
    listeners.fire(
        new ClientEvent.ConnectFailed(clock.instant(), failure, retryIn),
        TunnelClient.Listener::connectFailed);
  }

  void disconnected(Failure failure, Duration retryIn) {
    listeners.fire(
        new ClientEvent.Disconnected(clock.instant(), failure, retryIn),
        TunnelClient.Listener::disconnected);
  }

  void proxyRegistered(String proxy, String note) {
    listeners.fire(
        new ClientEvent.ProxyRegistered(clock.instant(), proxy, note),
        TunnelClient.Listener::proxyRegistered);
  }

  void proxyRejected(String proxy, String reason) {
    listeners.fire(
        new ClientEvent.ProxyRejected(clock.instant(), proxy, reason),
        TunnelClient.Listener::proxyRejected);
  }

  void proxyStatusChanged(ProxyState previous, ProxyState current) {
    listeners.fire(
        new ClientEvent.ProxyStatusChanged(current.updatedAt(), previous, current),
        TunnelClient.Listener::proxyStatusChanged);
  }

  void connectionOpened(String proxy, String peer, Duration dialTime) {
    listeners.fire(
        new ClientEvent.ConnectionOpened(clock.instant(), proxy, peer, dialTime),
        TunnelClient.Listener::connectionOpened);
  }

  void connectionFailed(String proxy, String peer, String reason, String message) {
    listeners.fire(
        new ClientEvent.ConnectionFailed(clock.instant(), proxy, peer, reason, message),
        TunnelClient.Listener::connectionFailed);
  }

  void connectionClosed(String proxy, String peer, long in, long out, Duration duration) {
    listeners.fire(
        new ClientEvent.ConnectionClosed(clock.instant(), proxy, peer, in, out, duration),
        TunnelClient.Listener::connectionClosed);
  }

  void visitorRefused(String visitor, String target, String reason, String message) {
    listeners.fire(
        new ClientEvent.VisitorRefused(clock.instant(), visitor, target, reason, message),
        TunnelClient.Listener::visitorRefused);
  }

  void reloaded(ReloadResult result) {
    listeners.fire(
        new ClientEvent.Reloaded(clock.instant(), result), TunnelClient.Listener::reloaded);
  }

  void stopped(ClientExit exit) {
    listeners.fire(new ClientEvent.Stopped(clock.instant(), exit), TunnelClient.Listener::stopped);
  }
}
