package dev.tlstunnel.server;

import dev.tlstunnel.cluster.Claim;
import dev.tlstunnel.metrics.Exposition;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of a cluster node, and its part of {@code /metrics} (the {@code tlstunnel_cluster_}
 * names of docs/METRICS.md). The gauges are read from the node at scrape time.
 */
final class ClusterMetrics {
  /** Why a public connection for another server's client was not forwarded. */
  static final String NOT_SERVING = "not_serving";

  static final String NOT_MEMBER = "not_member";
  static final String UNREACHABLE = "unreachable";

  /** Why a stream another server forwarded was refused. */
  static final String NO_SESSION = "no_session";

  final LongAdder forwarded = new LongAdder();
  final LongAdder peerStreams = new LongAdder();
  final LongAdder claimsRefused = new LongAdder();
  private final Map<String, LongAdder> forwardFailed = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> peerStreamsRefused = new ConcurrentHashMap<>();

  void forwardFailed(String reason) {
    forwardFailed.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void peerStreamRefused(String reason) {
    peerStreamsRefused.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** The cluster's metrics of {@code node}. */
  static void writeTo(Exposition e, ClusterNode node) {
    ClusterMetrics m = node.metrics();
    String self = node.nodeId();
    e.gauge(
        "tlstunnel_cluster_members",
        null,
        "Servers of the cluster present in etcd, this one included.",
        p -> p.add(node.members(), "node", self));
    e.gauge(
        "tlstunnel_cluster_serving",
        null,
        "1 while this server may serve its clients' claims (its lease is known to be alive).",
        p -> p.add(node.serving() ? 1 : 0, "node", self));
    e.gauge(
        "tlstunnel_cluster_etcd_reachable",
        null,
        "1 when etcd answered this server's last lease renewal.",
        p -> p.add(node.etcdReachable() ? 1 : 0, "node", self));
    Map<String, Integer> byNode = new TreeMap<>();
    for (Claim c : node.claims().values()) {
      byNode.merge(c.node(), 1, Integer::sum);
    }
    e.gauge(
        "tlstunnel_cluster_claims",
        null,
        "Proxies claimed in the cluster, by the server holding the client's session.",
        p -> byNode.forEach((holder, n) -> p.add(n, "node", self, "holder", holder)));
    e.gauge(
        "tlstunnel_cluster_remote_listeners",
        null,
        "Listeners this server runs for the published ports of other servers' clients, by state.",
        p -> node.remoteListenerStates().forEach((s, n) -> p.add(n, "node", self, "state", s)));
    e.gauge(
        "tlstunnel_cluster_peer_links",
        null,
        "Peer links open now: dialed by this server (out) or by the others (in).",
        p -> {
          p.add(node.peerLinksOut(), "node", self, "direction", "out");
          p.add(node.peerLinksIn(), "node", self, "direction", "in");
        });
    e.counter(
        "tlstunnel_cluster_forwarded_connections",
        null,
        "Public connections this server forwarded to the server holding their client.",
        p -> p.add(m.forwarded.sum(), "node", self));
    e.counter(
        "tlstunnel_cluster_forward_failures",
        null,
        "Public connections for another server's client this server closed instead, by reason.",
        p -> m.forwardFailed.forEach((r, n) -> p.add(n.sum(), "node", self, "reason", r)));
    e.counter(
        "tlstunnel_cluster_peer_streams",
        null,
        "Public connections other servers forwarded to this server's clients.",
        p -> p.add(m.peerStreams.sum(), "node", self));
    e.counter(
        "tlstunnel_cluster_peer_streams_refused",
        null,
        "Forwarded connections this server refused, by reason.",
        p -> m.peerStreamsRefused.forEach((r, n) -> p.add(n.sum(), "node", self, "reason", r)));
    e.counter(
        "tlstunnel_cluster_claims_refused",
        null,
        "Proxy registrations the cluster refused (held elsewhere, or etcd out of reach).",
        p -> p.add(m.claimsRefused.sum(), "node", self));
  }
}
