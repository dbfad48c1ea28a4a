package dev.tlstunnel.cluster;

/**
 * A server of the cluster, present while its lease lives.
 *
 * @param node its {@code node_id}
 * @param peerAddr where it takes peer links ({@code host:port})
 * @param leaseId its etcd lease
 * @param ttlSeconds the lease's time to live
 */
public record Member(String node, String peerAddr, long leaseId, long ttlSeconds) {}
