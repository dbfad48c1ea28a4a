package dev.tlstunnel.server;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.common.ListenerSet;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Builds the server's events and hands them to its listeners, on the calling thread (a session's
 * event loop, or the thread that starts or stops the server). When no listener is registered no
 * event is built, so the per-connection events cost nothing then.
 */
final class ServerEvents {
  private final ListenerSet<TunnelServer.Listener> listeners;
  private final Clock clock;

  ServerEvents(List<TunnelServer.Listener> listeners, Clock clock) {
    this.listeners = new ListenerSet<>(listeners, TunnelServer.Listener.NONE);
    this.clock = clock;
  }

  /** The server's clock: the system clock, or one that follows the event loops' fake ticker. */
  Clock clock() {
    return clock;
  }

  /** Whether no listener hears events (per-connection bookkeeping may be skipped). */
  boolean quiet() {
    return listeners.isEmpty();
  }

  void started(InetSocketAddress address) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.Started(clock.instant(), address), TunnelServer.Listener::started);
    }
  }

  void stopped() {
    if (!quiet()) {
      listeners.fire(new ServerEvent.Stopped(clock.instant()), TunnelServer.Listener::stopped);
    }
  }

  void clientConnected(String clientId, InetSocketAddress remote, String version, boolean took) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.ClientConnected(clock.instant(), clientId, remote, version, took),
          TunnelServer.Listener::clientConnected);
    }
  }

  void clientDisconnected(
      String clientId, InetSocketAddress remote, int proxies, boolean replaced) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.ClientDisconnected(clock.instant(), clientId, remote, proxies, replaced),
          TunnelServer.Listener::clientDisconnected);
    }
  }

  void proxyRejected(String clientId, String proxy, String reason) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.ProxyRejected(clock.instant(), clientId, proxy, reason),
          TunnelServer.Listener::proxyRejected);
    }
  }

  void proxyBound(String clientId, String proxy, InetSocketAddress address, int retries) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.ProxyBound(clock.instant(), clientId, proxy, address, retries),
          TunnelServer.Listener::proxyBound);
    }
  }

  void bindRetryScheduled(
      String clientId,
      ProxyListener proxy,
      FailureKind cause,
      String message,
      int attempt,
      Duration delay) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.BindRetryScheduled(
              clock.instant(),
              clientId,
              proxy.name(),
              proxy.publishAddr(),
              proxy.publishPort(),
              cause,
              message,
              attempt,
              proxy.policy().maxRetries(),
              delay),
          TunnelServer.Listener::bindRetryScheduled);
    }
  }

  void bindFailed(
      String clientId, ProxyListener proxy, FailureKind cause, String message, int retries) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.BindFailed(
              clock.instant(),
              clientId,
              proxy.name(),
              proxy.publishAddr(),
              proxy.publishPort(),
              cause,
              message,
              retries),
          TunnelServer.Listener::bindFailed);
    }
  }

  void proxyHealthChanged(String clientId, String proxy, boolean healthy, String reason) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.ProxyHealthChanged(clock.instant(), clientId, proxy, healthy, reason),
          TunnelServer.Listener::proxyHealthChanged);
    }
  }

  void publicConnectionOpened(String clientId, String proxy, InetSocketAddress peer) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.PublicConnectionOpened(clock.instant(), clientId, proxy, peer),
          TunnelServer.Listener::publicConnectionOpened);
    }
  }

  void publicConnectionClosed(
      String clientId,
      String proxy,
      InetSocketAddress peer,
      long fromPeer,
      long toPeer,
      Duration duration) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.PublicConnectionClosed(
              clock.instant(), clientId, proxy, peer, fromPeer, toPeer, duration),
          TunnelServer.Listener::publicConnectionClosed);
    }
  }

  void publicConnectionRefused(
      String clientId, String proxy, InetSocketAddress peer, String reason) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.PublicConnectionRefused(clock.instant(), clientId, proxy, peer, reason),
          TunnelServer.Listener::publicConnectionRefused);
    }
  }

  void reloaded(ReloadResult result) {
    if (!quiet()) {
      listeners.fire(
          new ServerEvent.Reloaded(clock.instant(), result), TunnelServer.Listener::reloaded);
    }
  }
}
