package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.TunnelException;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One configured proxy of a running {@link TunnelClient}: its latest state and a future for the
 * moment it serves. Obtained from {@link TunnelClient#proxy(String)}; safe to use from any thread.
 */
public final class ProxyHandle {
  private final String name;
  private final Supplier<ProxyState> state;
  private CompletableFuture<InetSocketAddress> healthy = new CompletableFuture<>();

  ProxyHandle(String name, Supplier<ProxyState> state) {
    this.name = name;
    this.state = state;
  }

  /** The proxy's name. */
  public String name() {
    return name;
  }

  /** Its latest state. */
  public ProxyState state() {
    return state.get();
  }

  /**
   * Completes with the published address (the real port; null for a private proxy, which is healthy
   * once the server holds it for visitors) when the proxy is {@code HEALTHY}: at once if it is now,
   * else when it next becomes so. Completes exceptionally with a {@link TunnelException} of kind
   * {@code PROXY_FAILED} when the proxy ends {@code BIND_FAILED} or {@code REJECTED} first, with
   * the client's failure when the client ends with one, and is cancelled when the client is closed.
   * After a failure the future stays failed until the proxy's state changes again (e.g. to {@code
   * PENDING} on a reconnect); ask again then.
   */
  public synchronized CompletableFuture<InetSocketAddress> whenHealthy() {
    return healthy;
  }

  /** Follows a change of state (called by the tracker, in order). */
  synchronized void changed(ProxyState now) {
    if (now.status() == ProxyStatus.HEALTHY) {
      if (!healthy.complete(address(now)) && healthy.isCompletedExceptionally()) {
        healthy = CompletableFuture.completedFuture(address(now));
      }
      return;
    }
    if (healthy.isDone()) {
      healthy = new CompletableFuture<>();
    }
    if (now.status().isFinalFailure()) {
      String what = now.status() == ProxyStatus.REJECTED ? "rejected" : "bind failed";
      healthy.completeExceptionally(
          new TunnelException(
              Failure.of(
                  FailureKind.PROXY_FAILED,
                  "Proxy '" + name + "' " + what + ": " + now.error(),
                  null)));
    }
  }

  /** The client ended: a pending future fails (or is cancelled when closed on request). */
  synchronized void clientEnded(ClientExit exit) {
    if (healthy.isDone()) {
      healthy = new CompletableFuture<>();
    }
    if (exit.closedOnRequest()) {
      healthy.cancel(false);
    } else {
      healthy.completeExceptionally(new TunnelException(exit.failure()));
    }
  }

  /**
   * The bound address, without a name lookup (the server reports an address literal); null for a
   * private proxy, which has none.
   */
  static InetSocketAddress address(ProxyState s) {
    if (s.publishAddr() == null) {
      return null;
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(s.publishAddr());
    if (ip == null) {
      return InetSocketAddress.createUnresolved(s.publishAddr(), s.publishPort());
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), s.publishPort());
    } catch (UnknownHostException e) {
      return InetSocketAddress.createUnresolved(s.publishAddr(), s.publishPort());
    }
  }

  @Override
  public String toString() {
    return "ProxyHandle[" + name + ": " + state() + "]";
  }
}
