package dev.tlstunnel.server;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.cluster.ClaimStore;
import dev.tlstunnel.cluster.ListenerState;
import dev.tlstunnel.config.Addresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Hands every change of one of this server's listeners for a published proxy (a session's own, or
 * one for another server's claim) to the cluster's record ({@link ClaimStore#listener}), for {@code
 * tls-tunnel cluster status}.
 */
final class ClusterListenerReports implements ProxyListener.Observer {
  private final Supplier<ClaimStore> store;
  private final String node;

  /**
   * @param store the store, or null until the server joined
   * @param node this server's {@code node_id}
   */
  ClusterListenerReports(Supplier<ClaimStore> store, String node) {
    this.store = store;
    this.node = node;
  }

  @Override
  public void bound(ProxyListener l, int attempt, InetSocketAddress address) {
    report(l, ListenerState.BOUND, address.getPort(), attempt, null);
  }

  @Override
  public void retrying(
      ProxyListener l, int attempt, FailureKind cause, String message, Duration delay) {
    report(l, ListenerState.RETRYING, l.publishPort(), attempt, message);
  }

  @Override
  public void gaveUp(ProxyListener l, int attempt, FailureKind cause, String message) {
    report(l, ListenerState.FAILED, l.publishPort(), attempt, message);
  }

  private void report(ProxyListener l, String state, int port, int attempt, String message) {
    ClaimStore s = store.get();
    if (s != null) {
      s.listener(
          l.name(),
          new ListenerState(
              node, l.name(), state, Addresses.hostPort(l.publishAddr(), port), attempt, message));
    }
  }
}
