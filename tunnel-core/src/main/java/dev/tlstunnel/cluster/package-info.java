/**
 * The seam between a server and the store its cluster shares ({@code [server.cluster]}): a {@link
 * dev.tlstunnel.cluster.ClaimStore} records which server holds which client's proxy names and
 * ports, and tells the server about the claims the others hold. The etcd implementation lives in
 * the optional {@code tunnel-cluster} module and is found with {@link java.util.ServiceLoader}; a
 * server without {@code [server.cluster]} never looks for one. Internal: not exported.
 */
package dev.tlstunnel.cluster;
