package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.cluster.Member;
import dev.tlstunnel.config.ClusterConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a cluster's etcd holds now, read without joining: its servers (with the time their lease has
 * left), which server holds which client's proxies, and how each server's listener for each
 * published proxy stands. For {@code tls-tunnel cluster status}.
 */
public final class ClusterStatus {
  /**
   * A server of the cluster.
   *
   * @param node its {@code node_id}
   * @param peerAddr where it takes peer links
   * @param leaseId its lease, in hex as etcdctl shows it
   * @param ttlSeconds the lease's time to live
   * @param remainingSeconds how long the lease lives without another renewal
   */
  public record Server(
      String node, String peerAddr, String leaseId, long ttlSeconds, long remainingSeconds) {}

  /**
   * A proxy held in the cluster.
   *
   * @param proxy its name
   * @param client the client id, or null for an anonymous client
   * @param node the server holding the client's session
   * @param publish {@code addr:port}, or null for a private proxy or a group member
   */
  public record Held(String proxy, String client, String node, String publish) {}

  /**
   * One server's listener for a published proxy, as that server reported it.
   *
   * @param node the server
   * @param proxy the proxy
   * @param state {@code bound}, {@code retrying} or {@code failed}
   * @param address where it listens or tries to, {@code host:port}
   * @param attempt the bind attempt the state is the result of
   * @param message why the last attempt failed, or null when bound
   */
  public record Listener(
      String node, String proxy, String state, String address, int attempt, String message) {}

  /**
   * The servers, proxies (each sorted by name) and listeners (by proxy, then server).
   *
   * @param listeners every server's listener for every published proxy, as that server reported it
   */
  public record Snapshot(List<Server> servers, List<Held> proxies, List<Listener> listeners) {}

  private ClusterStatus() {}

  /**
   * Reads the cluster of {@code config} from etcd.
   *
   * @throws IOException when etcd does not answer, naming its endpoints
   */
  public static Snapshot read(ClusterConfig config) throws IOException {
    try (Client client = EtcdClaimStoreFactory.client(config)) {
      EtcdKeys keys = new EtcdKeys();
      List<KeyValue> kvs;
      try {
        kvs =
            EtcdClaimStore.call(
                    client
                        .getKVClient()
                        .get(keys.prefix(), GetOption.builder().isPrefix(true).build()),
                    EtcdClaimStore.JOIN_TIMEOUT_MS)
                .getKvs();
      } catch (IOException e) {
        throw new IOException(
            "etcd at "
                + String.join(",", config.etcdEndpoints())
                + " does not answer: "
                + e.getMessage(),
            e);
      }
      List<Server> servers = new ArrayList<>();
      List<Held> proxies = new ArrayList<>();
      List<Listener> listeners = new ArrayList<>();
      for (KeyValue kv : kvs) {
        String key = kv.getKey().toString();
        if (key.startsWith(keys.membersPrefix())) {
          Member m = keys.member(kv.getValue());
          if (m != null) {
            long left =
                EtcdClaimStore.call(
                        client
                            .getLeaseClient()
                            .timeToLive(m.leaseId(), io.etcd.jetcd.options.LeaseOption.DEFAULT))
                    .getTTL();
            servers.add(
                new Server(
                    m.node(), m.peerAddr(), Long.toHexString(m.leaseId()), m.ttlSeconds(), left));
          }
        } else if (key.startsWith(keys.listenersPrefix())) {
          Listener l = keys.listener(kv.getValue());
          if (l != null) {
            listeners.add(l);
          }
        } else if (key.startsWith(keys.namesPrefix())) {
          Claim c = keys.claim(kv.getValue());
          if (c != null) {
            proxies.add(
                new Held(
                    c.proxyName(),
                    c.client(),
                    c.node(),
                    c.published()
                        ? dev.tlstunnel.config.Addresses.hostPort(c.publishAddr(), c.publishPort())
                        : null));
          }
        }
      }
      servers.sort(Comparator.comparing(Server::node));
      proxies.sort(Comparator.comparing(Held::proxy));
      listeners.sort(Comparator.comparing(Listener::proxy).thenComparing(Listener::node));
      return new Snapshot(List.copyOf(servers), List.copyOf(proxies), List.copyOf(listeners));
    }
  }
}
