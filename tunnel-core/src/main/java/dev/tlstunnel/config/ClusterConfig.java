package dev.tlstunnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Several servers as one ({@code [server.cluster]}): the servers share who holds which proxy name
 * and port in etcd, each binds every claimed port, and a public connection that lands on a server
 * not holding the client's session travels over a mutual-TLS peer link to the one that does. Needs
 * the {@code tunnel-cluster} module on the class path.
 *
 * @param etcdEndpoints the etcd members ({@code etcd_endpoints}, {@code http://host:2379} or {@code
 *     https://...})
 * @param nodeId this server's name in the cluster ({@code node_id}), unique among its servers
 * @param peerAddr {@code host:port} where this server takes peer links and the others reach it
 *     ({@code peer_addr})
 * @param publishAddr the address this server binds every published port on, whatever address the
 *     client asked for ({@code publish_addr}); null binds the client's (servers on hosts of their
 *     own). For several servers on one host, each on an address of its own
 * @param leaseTtl how long this server's claims outlive its last renewal ({@code lease_ttl})
 * @param etcdCaCert CA of the etcd servers' certificates ({@code etcd_ca_cert_path}); null trusts
 *     the system's
 * @param etcdCert client certificate for etcd ({@code etcd_cert_path}), or null
 * @param etcdKey its PKCS#8 key ({@code etcd_key_path}), or null
 * @param peerCaCert CA that signs every server's peer certificate ({@code peer_ca_cert_path})
 * @param peerCert this server's peer certificate ({@code peer_cert_path})
 * @param peerKey its PKCS#8 key ({@code peer_key_path})
 */
public record ClusterConfig(
    List<String> etcdEndpoints,
    String nodeId,
    String peerAddr,
    String publishAddr,
    Duration leaseTtl,
    Path etcdCaCert,
    Path etcdCert,
    Path etcdKey,
    Path peerCaCert,
    Path peerCert,
    Path peerKey) {

  /** Default {@code lease_ttl}: 10 seconds. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

  public ClusterConfig {
    etcdEndpoints = etcdEndpoints == null ? List.of() : List.copyOf(etcdEndpoints);
  }

  /** The peer port of {@link #peerAddr()}. */
  public int peerPort() {
    return Addresses.port(peerAddr);
  }

  /** The host of {@link #peerAddr()}, without brackets. */
  public String peerHost() {
    return Addresses.host(peerAddr);
  }
}
