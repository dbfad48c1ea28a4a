package dev.tlstunnel.server;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxyStatus;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Tells the client and the server's listeners what a session's proxy listener did: each change
 * becomes one {@code proxy_status_update} on the control stream and one {@link ServerEvent}, and in
 * a cluster goes to the cluster's record of this server's listeners as well.
 */
final class BindReports implements ProxyListener.Observer {
  private final String clientId;
  private final Consumer<ControlMessage> toClient;
  private final ServerEvents events;
  private final ProxyListener.Observer cluster;

  /**
   * @param cluster hears every change too ({@link ClusterNode#listenerReports}), or null
   */
  BindReports(
      String clientId,
      Consumer<ControlMessage> toClient,
      ServerEvents events,
      ProxyListener.Observer cluster) {
    this.clientId = clientId;
    this.toClient = toClient;
    this.events = events;
    this.cluster = cluster;
  }

  @Override
  public void bound(ProxyListener proxy, int attempt, InetSocketAddress address) {
    toClient.accept(update(proxy, ProxyStatus.HEALTHY, null, null, attempt, address.getPort()));
    events.proxyBound(clientId, proxy.name(), address, attempt - 1);
    if (cluster != null) {
      cluster.bound(proxy, attempt, address);
    }
  }

  @Override
  public void retrying(
      ProxyListener proxy, int attempt, FailureKind cause, String message, Duration delay) {
    toClient.accept(
        update(
            proxy,
            ProxyStatus.UNHEALTHY,
            message,
            delay.toMillis() / 1000.0,
            attempt,
            proxy.publishPort()));
    events.bindRetryScheduled(clientId, proxy, cause, message, attempt, delay);
    if (cluster != null) {
      cluster.retrying(proxy, attempt, cause, message, delay);
    }
  }

  @Override
  public void gaveUp(ProxyListener proxy, int attempt, FailureKind cause, String message) {
    toClient.accept(
        update(proxy, ProxyStatus.BIND_FAILED, message, null, attempt, proxy.publishPort()));
    events.bindFailed(clientId, proxy, cause, message, attempt - 1);
    if (cluster != null) {
      cluster.gaveUp(proxy, attempt, cause, message);
    }
  }

  private static ProxyStatusUpdate update(
      ProxyListener proxy,
      ProxyStatus status,
      String error,
      Double retryAfter,
      int attempt,
      int port) {
    return new ProxyStatusUpdate(
        proxy.name(),
        status,
        error,
        retryAfter,
        attempt,
        proxy.policy().maxRetries(),
        proxy.publishAddr(),
        port);
  }

  /**
   * These reports for a proxy whose port the system picks: {@code lease} gets the port once bound,
   * before the report goes out.
   */
  ProxyListener.Observer leasingOnBind(IntConsumer lease) {
    BindReports reports = this;
    return new ProxyListener.Observer() {
      @Override
      public void bound(ProxyListener l, int attempt, InetSocketAddress address) {
        lease.accept(address.getPort());
        reports.bound(l, attempt, address);
      }

      @Override
      public void retrying(
          ProxyListener l, int attempt, FailureKind cause, String message, Duration delay) {
        reports.retrying(l, attempt, cause, message, delay);
      }

      @Override
      public void gaveUp(ProxyListener l, int attempt, FailureKind cause, String message) {
        reports.gaveUp(l, attempt, cause, message);
      }
    };
  }
}
