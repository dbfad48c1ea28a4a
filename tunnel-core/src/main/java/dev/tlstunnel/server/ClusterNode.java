package dev.tlstunnel.server;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.cluster.ClaimStore;
import dev.tlstunnel.cluster.Member;
import dev.tlstunnel.config.ClusterConfig;
import dev.tlstunnel.protocol.ProxySpec;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server as one of a cluster ({@code [server.cluster]}): its sessions' claims go to the {@link
 * ClaimStore} as well as to the local {@link ProxyRegistry}, it listens on the ports the other
 * servers' clients hold ({@link RemoteListeners}) and forwards their connections over peer links
 * ({@link PeerLinks}), and it takes the streams the others forward to its own clients.
 */
final class ClusterNode {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  /** How long leaving the cluster waits for the claims and releases asked before. */
  private static final long CLOSE_WAIT_SECONDS = 3;

  private final ServerContext context;
  private final ClusterConfig config;
  private final PeerLinks links;
  private final RemoteListeners remote;
  private final Map<ServerSession, String> tokens = new ConcurrentHashMap<>();
  private final AtomicLong sessions = new AtomicLong();
  private final Map<String, String> peerAddrs = new ConcurrentHashMap<>();
  private final ClusterMetrics metrics = new ClusterMetrics();
  private final ProxyListener.Observer listenerReports;

  /** The session token each proxy name was granted to, for the names sessions here hold. */
  private final Map<String, String> granted = new ConcurrentHashMap<>();

  private volatile Map<String, Claim> claims = Map.of();
  private volatile boolean serving = true;
  private volatile ClaimStore store;

  /** Where the claims and releases of this node's sessions wait for etcd. */
  private final ClaimCalls calls = new ClaimCalls("cluster-claims");

  private ClusterNode(ServerContext context, EventLoopGroup loops) throws IOException {
    this.context = context;
    this.config = context.config.cluster();
    this.listenerReports = new ClusterListenerReports(this::store, config.nodeId());
    this.links = new PeerLinks(context, config, loops);
    this.remote =
        new RemoteListeners(
            context, loops, links, config.publishAddr(), listenerReports, this::noListener);
  }

  /** Joins the cluster of {@code context.config.cluster()}: peer listener first, then the store. */
  static ClusterNode start(ServerContext context, EventLoopGroup loops)
      throws TunnelStartException {
    ClaimStore.Factory factory =
        ServiceLoader.load(ClaimStore.Factory.class, ClusterNode.class.getClassLoader())
            .findFirst()
            .orElseThrow(
                () ->
                    new TunnelStartException(
                        Failure.of(
                            FailureKind.UNUSABLE_FILE,
                            "server.cluster: the cluster module (tunnel-cluster) is not on the"
                                + " class path",
                            null)));
    ClusterNode node;
    try {
      node = new ClusterNode(context, loops);
    } catch (IOException e) {
      throw new TunnelStartException(
          Failure.of(FailureKind.TLS_SETUP, "server.cluster: " + e.getMessage(), e));
    }
    try {
      node.links.listen();
      node.store = factory.open(node.config, node.observer());
    } catch (IOException e) {
      node.close();
      throw new TunnelStartException(
          Failure.of(FailureKind.UNREACHABLE, "server.cluster: " + e.getMessage(), e));
    }
    log.info(
        "Node '{}' joined the cluster at {} (peer links on {}, lease {} s)",
        node.config.nodeId(),
        String.join(",", node.config.etcdEndpoints()),
        node.config.peerAddr(),
        node.config.leaseTtl().toSeconds());
    return node;
  }

  private ClaimStore.Observer observer() {
    return new ClaimStore.Observer() {
      @Override
      public void claims(Map<String, Claim> byName) {
        claims = byName;
        dropLost(byName);
        reconcile();
      }

      @Override
      public void members(List<Member> members) {
        peerAddrs.clear();
        members.forEach(m -> peerAddrs.put(m.node(), m.peerAddr()));
      }

      @Override
      public void serving(boolean now) {
        if (serving != now && now) {
          log.info("Node '{}' holds its claims again; serving", config.nodeId());
        } else if (serving != now) {
          log.warn(
              "Node '{}' cannot renew its lease: its claims may expire elsewhere; not serving"
                  + " public connections until etcd answers",
              config.nodeId());
        }
        serving = now;
      }
    };
  }

  /** {@code spec} with the cluster's {@code publish_addr} when one is set. */
  static ProxySpec publishedHere(ServerContext context, ProxySpec spec) {
    ClusterNode node = context.cluster;
    ClusterConfig c = node == null ? null : node.config;
    if (c == null || c.publishAddr() == null || spec.publishAddr() == null) {
      return spec;
    }
    return new ProxySpec(
        spec.name(),
        c.publishAddr(),
        spec.publishPort(),
        spec.proxyType(),
        spec.bindRetry(),
        spec.privateAccess(),
        spec.group(),
        spec.replace());
  }

  String nodeId() {
    return config.nodeId();
  }

  /** The cluster settings this node started with (a reload does not change them). */
  ClusterConfig config() {
    return config;
  }

  /** Whether this node may serve its clients' claims (its lease is known to be alive). */
  boolean serving() {
    return serving;
  }

  /** Closes a public connection while this node is not serving, saying why (rate-limited). */
  void refuse(io.netty.channel.Channel ch, String proxy) {
    context.logs.warn(
        log,
        "cluster-not-serving:" + proxy,
        "Proxy '{}': refused connection from {}: node '{}' cannot renew its lease in etcd",
        proxy,
        ch.remoteAddress(),
        config.nodeId());
    ch.close();
  }

  /** The peer link address of {@code node}, or null when it is not a member. */
  String peerAddr(String node) {
    return peerAddrs.get(node);
  }

  /**
   * Claims {@code spec} for {@code session} in the cluster, on a {@linkplain ClaimCalls call
   * thread} after the session's calls asked before; on success any listener this server ran for
   * another server's claim of that proxy is closed first, so that the session's own listener binds
   * at once.
   *
   * @return completes with null, or why not (naming the client and server holding it); never
   *     exceptionally
   */
  CompletableFuture<String> claim(ServerSession session, ProxySpec spec) {
    boolean published = spec.privateAccess() == null && spec.group() == null;
    String token = token(session);
    Claim claim =
        new Claim(
            config.nodeId(),
            ServerSession.ANONYMOUS.equals(session.clientId()) ? null : session.clientId(),
            token,
            spec.name(),
            published ? spec.publishAddr() : null,
            published ? spec.publishPort() : 0);
    try {
      return calls
          .submit(callKey(session, token), () -> claimNow(session, claim))
          .exceptionally(failure -> cannotClaim(spec.name(), failure.toString()));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(cannotClaim(spec.name(), "the server is stopping"));
    }
  }

  private static String cannotClaim(String proxy, String why) {
    return "cannot claim proxy '" + proxy + "' in the cluster: " + why;
  }

  private String claimNow(ServerSession session, Claim claim) {
    if (!claim.session().equals(tokens.get(session))) {
      // ended while the claim waited: nothing to claim for (its releases come after this)
      return cannotClaim(claim.proxyName(), "the session ended");
    }
    String refusal;
    try {
      refusal = store.claim(claim);
    } catch (RuntimeException e) {
      log.warn("Node '{}' cannot claim proxy '{}'", config.nodeId(), claim.proxyName(), e);
      refusal = cannotClaim(claim.proxyName(), e.toString());
    }
    if (refusal == null) {
      granted.put(claim.proxyName(), claim.session());
      remote.closeNow(claim.proxyName());
    } else {
      metrics.claimsRefused.increment();
    }
    return refusal;
  }

  /** Releases {@code session}'s claim of {@code proxyName}, after its claims asked before. */
  void release(ServerSession session, String proxyName) {
    String token = tokens.get(session);
    if (token != null) {
      call(callKey(session, token), () -> release(token, proxyName));
    }
  }

  /**
   * Releases every claim of an ended session, after the claims asked before (one still waiting for
   * etcd is released once granted); the others' claims of its ports get listeners.
   */
  void releaseAll(ServerSession session, List<String> names) {
    String token = tokens.remove(session);
    if (token == null) {
      reconcile();
      return;
    }
    call(
        callKey(session, token),
        () -> {
          names.forEach(n -> release(token, n));
          reconcile();
        });
  }

  private void release(String token, String proxyName) {
    granted.remove(proxyName, token);
    store.release(token, proxyName);
    noListener(proxyName);
  }

  /**
   * Whose calls run in order: all of one client's (its sessions in turn, as it reconnects, so that
   * an old session's claim or release never overtakes the new one's), a session's for an anonymous
   * client.
   */
  private static String callKey(ServerSession session, String token) {
    return ServerSession.ANONYMOUS.equals(session.clientId()) ? token : session.clientId();
  }

  /**
   * Runs {@code call} after the calls asked before under {@code key}; dropped once the node left.
   */
  private void call(String key, Runnable call) {
    try {
      calls.execute(key, call);
    } catch (RejectedExecutionException e) {
      log.debug("Node '{}' has left the cluster; not run: {}", config.nodeId(), call);
    }
  }

  /**
   * Ends the sessions here whose claims another session holds now (the client reconnected to
   * another server, which took them over): this node must not serve them any more.
   */
  private void dropLost(Map<String, Claim> byName) {
    granted.forEach(
        (name, token) -> {
          Claim now = byName.get(name);
          if (now == null || now.session().equals(token)) {
            return;
          }
          granted.remove(name, token);
          tokens.forEach(
              (session, t) -> {
                if (t.equals(token)) {
                  log.warn(
                      "[client={}] Proxy '{}' is held by server '{}' now; closing this session",
                      session.clientId(),
                      name,
                      now.node());
                  session.close();
                }
              });
        });
  }

  private String token(ServerSession session) {
    return tokens.computeIfAbsent(session, s -> config.nodeId() + "#" + sessions.incrementAndGet());
  }

  private void reconcile() {
    remote.reconcile(claims, config.nodeId(), name -> context.registry.holder(name) != null);
  }

  /** The claims, by proxy name, as last seen. */
  Map<String, Claim> claims() {
    return claims;
  }

  ClusterMetrics metrics() {
    return metrics;
  }

  /** The servers present in the cluster, this one included. */
  int members() {
    return peerAddrs.size();
  }

  /** Whether etcd answered the last lease renewal. */
  boolean etcdReachable() {
    ClaimStore s = store;
    return s != null && s.connected();
  }

  /** The listeners run for other servers' claims, counted by state. */
  Map<String, Integer> remoteListenerStates() {
    return remote.countByState();
  }

  int peerLinksOut() {
    return links.openOut();
  }

  int peerLinksIn() {
    return links.openIn();
  }

  /**
   * Reports the changes of a listener of this server for a published proxy (a session's own, or one
   * for another server's claim) to the cluster, for {@code tls-tunnel cluster status}.
   */
  ProxyListener.Observer listenerReports() {
    return listenerReports;
  }

  private ClaimStore store() {
    return store;
  }

  /** This server no longer listens for {@code proxy}. */
  void noListener(String proxy) {
    ClaimStore s = store;
    if (s != null) {
      s.listener(proxy, null);
    }
  }

  /** Leaves the cluster (the lease is revoked: every claim of this node goes at once). */
  void close() {
    calls.close(CLOSE_WAIT_SECONDS);
    if (store != null) {
      store.close();
    }
    remote.close();
    links.close();
  }
}
