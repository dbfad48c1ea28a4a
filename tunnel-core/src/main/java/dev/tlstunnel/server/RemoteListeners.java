package dev.tlstunnel.server;

import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.cluster.ListenerState;
import dev.tlstunnel.proxyproto.Endpoints;
import dev.tlstunnel.relay.HeldInput;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners a cluster node runs for the ports other nodes' clients hold: each binds with the
 * usual retries ({@link ProxyListener}, logging as {@code dev.tlstunnel.server.ClusterListener})
 * and forwards every connection over the peer link to the node holding the session ({@link
 * PeerForwardHandler}). Kept in step with the claims in the store by {@link #reconcile}; every
 * change of a listener's state goes to the cluster's record too.
 */
final class RemoteListeners {
  private static final Logger LISTENER_LOG =
      LoggerFactory.getLogger("dev.tlstunnel.server.ClusterListener");

  /** A listener for another node's claim. */
  private record Held(Claim claim, ProxyListener listener, EventLoop loop) {}

  private final ServerContext context;
  private final EventLoopGroup loops;
  private final PeerLinks links;

  /** Hears every change of a listener (the cluster's record of this server's bind states). */
  private final ProxyListener.Observer reports;

  /** Hears that this server stopped listening for a proxy. */
  private final Consumer<String> gone;

  /** The cluster's {@code publish_addr}, or null for the claim's own. */
  private final String publishAddr;

  private final Map<String, Held> byName = new HashMap<>();
  private boolean closed;

  RemoteListeners(
      ServerContext context,
      EventLoopGroup loops,
      PeerLinks links,
      String publishAddr,
      ProxyListener.Observer reports,
      Consumer<String> gone) {
    this.publishAddr = publishAddr;
    this.reports = reports;
    this.gone = gone;
    this.context = context;
    this.loops = loops;
    this.links = links;
  }

  /**
   * Listens for every published claim of another node that no session here holds, and stops
   * listening for the rest.
   */
  synchronized void reconcile(Map<String, Claim> claims, String self, Predicate<String> heldHere) {
    if (closed) {
      return;
    }
    byName
        .entrySet()
        .removeIf(
            e -> {
              Claim now = claims.get(e.getKey());
              boolean keep =
                  now != null
                      && sameBinding(now, e.getValue().claim())
                      && !self.equals(now.node())
                      && !heldHere.test(e.getKey());
              if (!keep) {
                e.getValue().listener().close();
                gone.accept(e.getKey());
              }
              return !keep;
            });
    for (Claim c : claims.values()) {
      if (c.published()
          && !self.equals(c.node())
          && !byName.containsKey(c.proxyName())
          && !heldHere.test(c.proxyName())) {
        EventLoop loop = loops.next();
        byName.put(c.proxyName(), new Held(c, start(c, loop), loop));
      }
    }
  }

  private static boolean sameBinding(Claim a, Claim b) {
    return a.node().equals(b.node())
        && a.publishPort() == b.publishPort()
        && a.publishAddr().equals(b.publishAddr());
  }

  private ProxyListener start(Claim claim, EventLoop loop) {
    ChannelHandler accepted = new Accepted(claim.proxyName());
    ProxyListener listener =
        new ProxyListener(
            LISTENER_LOG,
            "Proxy",
            claim.proxyName(),
            publishAddr != null ? publishAddr : claim.publishAddr(),
            claim.publishPort(),
            context.config.bindRetry(),
            loop,
            address ->
                Listeners.forRelay(loop, context.transport.serverChannelClass(), accepted)
                    .bind(address),
            reports);
    listener.start();
    return listener;
  }

  /**
   * Stops listening for {@code proxyName} before a session here binds it: the socket is closed when
   * this returns (or after a second at most, when its loop is busy).
   */
  void closeNow(String proxyName) {
    Held held;
    synchronized (this) {
      held = byName.remove(proxyName);
    }
    if (held == null) {
      return;
    }
    EventLoop loop = held.loop();
    if (loop.inEventLoop()) {
      held.listener().close();
    } else {
      loop.submit(held.listener()::close).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    gone.accept(proxyName);
  }

  /**
   * The listeners, counted by state: {@code pending}, {@code bound}, {@code retrying}, {@code
   * failed}.
   */
  synchronized Map<String, Integer> countByState() {
    Map<String, Integer> counts = new TreeMap<>();
    for (String s :
        List.of("pending", ListenerState.BOUND, ListenerState.RETRYING, ListenerState.FAILED)) {
      counts.put(s, 0);
    }
    for (Held h : byName.values()) {
      String state =
          switch (h.listener().status()) {
            case HEALTHY -> ListenerState.BOUND;
            case UNHEALTHY -> ListenerState.RETRYING;
            case BIND_FAILED -> ListenerState.FAILED;
            default -> "pending";
          };
      counts.merge(state, 1, Integer::sum);
    }
    return counts;
  }

  /** The node whose claim of {@code proxyName} this node listens for, or null. */
  synchronized Claim claimOf(String proxyName) {
    Held held = byName.get(proxyName);
    return held == null ? null : held.claim();
  }

  synchronized void close() {
    closed = true;
    byName.values().forEach(h -> h.listener().close());
    byName.clear();
  }

  /** A connection accepted for another node's claim: PROXY header first, then the forwarding. */
  @ChannelHandler.Sharable
  private final class Accepted extends ChannelInitializer<Channel> {
    private final String proxyName;

    Accepted(String proxyName) {
      this.proxyName = proxyName;
    }

    @Override
    protected void initChannel(Channel ch) {
      context.proxyProtocol.install(ch, endpoints -> forward(ch, endpoints));
    }

    private void forward(Channel ch, Endpoints endpoints) {
      if (endpoints.fromHeader()) {
        PeerAddress.setProxied(ch, endpoints.source(), endpoints.destination());
      }
      Claim claim = claimOf(proxyName);
      ClusterNode node = context.cluster;
      if (claim == null || node == null) {
        ch.close();
        return;
      }
      HeldInput.install(ch);
      ch.pipeline().addLast("peer-forward", new PeerForwardHandler(links, node, claim));
    }
  }
}
