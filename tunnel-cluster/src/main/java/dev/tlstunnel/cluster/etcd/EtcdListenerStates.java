package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.cluster.ListenerState;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's listener states in etcd ({@code /tls-tunnel/listeners/<node>/<proxy>}, on its
 * lease). A change is recorded at once and written later on the store's thread, so the caller (an
 * event loop) never waits for etcd; keys are written one after the other there, each with the
 * latest state it has. A write that fails stays due and goes with the next flush (the store's
 * renewal flushes); a new lease gets every state again.
 */
final class EtcdListenerStates {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  private final Client client;
  private final EtcdKeys keys;
  private final String node;
  private final LongSupplier lease;
  private final Executor executor;

  /** What etcd should hold, by proxy. */
  private final Map<String, ListenerState> current = new ConcurrentHashMap<>();

  /** The proxies whose key is not written as {@link #current} has it yet. */
  private final Set<String> due = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean queued = new AtomicBoolean();

  EtcdListenerStates(
      Client client, EtcdKeys keys, String node, LongSupplier lease, Executor executor) {
    this.client = client;
    this.keys = keys;
    this.node = node;
    this.lease = lease;
    this.executor = executor;
  }

  /** Records the state of the listener for {@code proxy}; null: there is none any more. */
  void set(String proxy, ListenerState state) {
    ListenerState before = state == null ? current.remove(proxy) : current.put(proxy, state);
    if (state == null ? before == null : state.equals(before)) {
      return;
    }
    due.add(proxy);
    if (queued.compareAndSet(false, true)) {
      try {
        executor.execute(this::flush);
      } catch (RejectedExecutionException e) {
        queued.set(false); // the store is closed: its lease goes with every key
      }
    }
  }

  /**
   * Writes every key that is due; stops at the first failure, which stays due. On the store's
   * thread.
   */
  void flush() {
    queued.set(false);
    for (String proxy : List.copyOf(due)) {
      due.remove(proxy);
      ListenerState state = current.get(proxy);
      try {
        if (state == null) {
          EtcdClaimStore.call(client.getKVClient().delete(keys.listener(node, proxy)));
        } else {
          EtcdClaimStore.call(
              client
                  .getKVClient()
                  .put(
                      keys.listener(node, proxy),
                      keys.encode(state),
                      EtcdKeys.onLease(lease.getAsLong())));
        }
      } catch (IOException e) {
        due.add(proxy);
        log.debug("cannot write the listener state of proxy '{}': {}", proxy, e.getMessage());
        return;
      }
    }
  }

  /** A new lease: the keys on the old one are gone; writes every state again. */
  void rewriteAll() {
    due.addAll(current.keySet());
    flush();
  }
}
