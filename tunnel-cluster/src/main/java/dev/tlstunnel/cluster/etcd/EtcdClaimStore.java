package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.cluster.ClaimStore;
import dev.tlstunnel.cluster.ListenerState;
import dev.tlstunnel.cluster.Member;
import dev.tlstunnel.config.ClusterConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claims and members of a cluster in etcd. This server's lease carries its member key and every
 * claim of its sessions; a renewal task keeps it alive ({@code keepAliveOnce} every third of the
 * TTL) and tells the server to stop serving when the last renewal is so old that the lease may have
 * expired. If it did expire (etcd was out of reach too long), a new lease is granted and this
 * server's claims are written again, unless another server took them meanwhile. A watch on the
 * prefix keeps the view current; the renewal task reads the whole prefix again as well, which heals
 * a watch lost with its etcd member.
 */
final class EtcdClaimStore implements ClaimStore {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  /** How long one call to etcd may take before the server gives up on it. */
  static final long CALL_TIMEOUT_MS = 2_000;

  /** How long joining may take: the first call connects. */
  static final long JOIN_TIMEOUT_MS = 10_000;

  private final Client client;
  private final ClusterConfig config;
  private final Observer observer;
  private final EtcdKeys keys = new EtcdKeys();
  private final EtcdClaims claimsTxn;
  private final EtcdListenerStates listeners;
  private final ScheduledExecutorService timer;
  private final Map<String, Claim> mine = new ConcurrentHashMap<>();
  private final long ttlSeconds;
  private volatile long lease;
  private volatile long renewedNanos;
  private volatile boolean serving = true;
  private volatile boolean reachable = true;
  private volatile Map<String, Claim> claims = Map.of();
  private volatile List<Member> members = List.of();
  private volatile Watch.Watcher watcher;
  private volatile boolean closed;

  private EtcdClaimStore(Client client, ClusterConfig config, Observer observer) {
    this.client = client;
    this.config = config;
    this.observer = observer;
    this.ttlSeconds = Math.max(2, (config.leaseTtl().toMillis() + 999) / 1000);
    this.claimsTxn = new EtcdClaims(client, keys, () -> lease);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cluster-" + config.nodeId());
              t.setDaemon(true);
              return t;
            });
    this.listeners = new EtcdListenerStates(client, keys, config.nodeId(), () -> lease, timer);
  }

  static EtcdClaimStore open(Client client, ClusterConfig config, Observer observer)
      throws IOException {
    EtcdClaimStore store = new EtcdClaimStore(client, config, observer);
    try {
      store.join();
    } catch (IOException e) {
      store.close();
      throw e;
    }
    long period = Math.max(200, config.leaseTtl().toMillis() / 3);
    store.timer.scheduleWithFixedDelay(store::renew, period, period, TimeUnit.MILLISECONDS);
    store.watch();
    return store;
  }

  /** Grants the lease and writes the member key, then reads every claim and member. */
  private void join() throws IOException {
    try {
      // the first call sets up the connection: it may take longer than the later ones
      lease = call(client.getLeaseClient().grant(ttlSeconds), JOIN_TIMEOUT_MS).getID();
      renewedNanos = System.nanoTime();
      call(
          client
              .getKVClient()
              .put(
                  keys.member(config.nodeId()),
                  keys.encode(new Member(config.nodeId(), config.peerAddr(), lease, ttlSeconds)),
                  EtcdKeys.onLease(lease)));
      resync();
    } catch (IOException e) {
      throw new IOException(
          "cannot join the cluster through etcd at "
              + String.join(",", config.etcdEndpoints())
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private void watch() {
    if (closed) {
      return;
    }
    watcher =
        client
            .getWatchClient()
            .watch(
                keys.prefix(),
                WatchOption.builder().isPrefix(true).build(),
                new Watch.Listener() {
                  @Override
                  public void onNext(WatchResponse response) {
                    // listener states are only read by cluster status: no claim changed
                    boolean claimsOrMembers =
                        response.getEvents().stream()
                            .anyMatch(
                                e ->
                                    !e.getKeyValue()
                                        .getKey()
                                        .toString()
                                        .startsWith(keys.listenersPrefix()));
                    if (claimsOrMembers && !closed) {
                      timer.execute(EtcdClaimStore.this::resyncQuietly);
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    log.debug("etcd watch ended: {}", t.toString());
                  }

                  @Override
                  public void onCompleted() {}
                });
  }

  private void resyncQuietly() {
    try {
      resync();
    } catch (IOException e) {
      log.debug("cannot read the cluster's claims: {}", e.getMessage());
    }
  }

  /** Reads every claim and member; tells the observer what changed. */
  private synchronized void resync() throws IOException {
    GetResponse all =
        call(client.getKVClient().get(keys.prefix(), GetOption.builder().isPrefix(true).build()));
    Map<String, Claim> byName = new HashMap<>();
    List<Member> now = new java.util.ArrayList<>();
    for (KeyValue kv : all.getKvs()) {
      String key = kv.getKey().toString();
      if (key.startsWith(keys.namesPrefix())) {
        Claim c = keys.claim(kv.getValue());
        if (c != null) {
          byName.put(c.proxyName(), c);
        }
      } else if (key.startsWith(keys.membersPrefix())) {
        Member m = keys.member(kv.getValue());
        if (m != null) {
          now.add(m);
        }
      }
    }
    if (!now.equals(members)) {
      members = List.copyOf(now);
      observer.members(members);
    }
    if (!byName.equals(claims)) {
      claims = Map.copyOf(byName);
      observer.claims(claims);
    }
  }

  /** Renews the lease; past its deadline the server stops serving; an expired one is replaced. */
  private void renew() {
    if (closed) {
      return;
    }
    try {
      long ttl = call(client.getLeaseClient().keepAliveOnce(lease)).getTTL();
      if (ttl <= 0) {
        regrant();
      }
      renewedNanos = System.nanoTime();
      if (!reachable) {
        reachable = true;
        log.info("Node '{}' reaches etcd again", config.nodeId());
      }
      setServing(true);
      resync();
      listeners.flush();
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("lease not found")) {
        try {
          regrant();
          renewedNanos = System.nanoTime();
          setServing(true);
          resync();
          return;
        } catch (IOException again) {
          e = again;
        }
      }
      if (reachable) {
        reachable = false;
        log.warn(
            "Node '{}' cannot renew its lease in etcd ({}): no new claims until it answers",
            config.nodeId(),
            e.getMessage());
      }
      // Stop serving one renewal period before the lease could expire in etcd.
      long age = System.nanoTime() - renewedNanos;
      long deadline = TimeUnit.SECONDS.toNanos(ttlSeconds) * 2 / 3;
      if (age > deadline) {
        setServing(false);
      }
    }
  }

  /** The lease expired: a new one, the member key and this server's claims on it again. */
  private void regrant() throws IOException {
    lease = call(client.getLeaseClient().grant(ttlSeconds)).getID();
    call(
        client
            .getKVClient()
            .put(
                keys.member(config.nodeId()),
                keys.encode(new Member(config.nodeId(), config.peerAddr(), lease, ttlSeconds)),
                EtcdKeys.onLease(lease)));
    for (Claim c : List.copyOf(mine.values())) {
      String refusal = claimsTxn.claim(c, false);
      if (refusal != null) {
        mine.remove(c.proxyName(), c);
        log.warn(
            "Node '{}' lost proxy '{}' while etcd was away: {}",
            config.nodeId(),
            c.proxyName(),
            refusal);
      }
    }
    log.info("Node '{}' holds a new lease with {} claims", config.nodeId(), mine.size());
    listeners.rewriteAll();
  }

  private void setServing(boolean now) {
    if (serving != now) {
      serving = now;
      observer.serving(now);
    }
  }

  @Override
  public String claim(Claim claim) {
    if (!reachable) {
      return "cannot claim proxy '"
          + claim.proxyName()
          + "' in the cluster: etcd at "
          + String.join(",", config.etcdEndpoints())
          + " does not answer";
    }
    String refusal;
    try {
      refusal = claimsTxn.claim(claim);
    } catch (IOException e) {
      return "cannot claim proxy '"
          + claim.proxyName()
          + "' in the cluster: etcd at "
          + String.join(",", config.etcdEndpoints())
          + " does not answer ("
          + e.getMessage()
          + ")";
    }
    if (refusal == null) {
      mine.put(claim.proxyName(), claim);
      timer.execute(this::resyncQuietly);
    }
    return refusal;
  }

  @Override
  public void release(String session, String proxyName) {
    Claim c = mine.get(proxyName);
    if (c == null || !c.session().equals(session) || closed) {
      return;
    }
    mine.remove(proxyName, c);
    try {
      claimsTxn.release(c);
    } catch (IOException e) {
      log.warn(
          "Node '{}' cannot release proxy '{}' in etcd ({}); it goes with the lease",
          config.nodeId(),
          proxyName,
          e.getMessage());
    }
  }

  @Override
  public void listener(String proxy, ListenerState state) {
    if (!closed) {
      listeners.set(proxy, state);
    }
  }

  @Override
  public Map<String, Claim> claims() {
    return claims;
  }

  @Override
  public List<Member> members() {
    return members;
  }

  @Override
  public boolean connected() {
    return reachable;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
    try {
      call(client.getLeaseClient().revoke(lease));
    } catch (IOException e) {
      log.warn(
          "Node '{}' cannot revoke its lease ({}); its claims expire within {} s",
          config.nodeId(),
          e.getMessage(),
          ttlSeconds);
    }
    client.close();
  }

  /** Waits for an etcd call, at most {@link #CALL_TIMEOUT_MS}. */
  static <T> T call(java.util.concurrent.CompletableFuture<T> f) throws IOException {
    return call(f, CALL_TIMEOUT_MS);
  }

  static <T> T call(java.util.concurrent.CompletableFuture<T> f, long timeoutMs)
      throws IOException {
    try {
      return f.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException(cause.getMessage(), cause);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new IOException("no answer within " + timeoutMs + " ms", e);
    }
  }
}
