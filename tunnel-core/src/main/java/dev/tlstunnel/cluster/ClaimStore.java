package dev.tlstunnel.cluster;

import dev.tlstunnel.config.ClusterConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where the servers of a cluster record their members and their clients' claims. Claims live on the
 * claiming server's lease: a server that stops renewing it loses them all after {@code lease_ttl}.
 * Thread-safe; {@link #claim} and {@link #release} block for at most a few seconds.
 */
public interface ClaimStore extends AutoCloseable {
  /** Opens the store of a server; found with {@link java.util.ServiceLoader}. */
  interface Factory {
    /**
     * Joins the cluster: grants this server's lease and writes its member key.
     *
     * @throws IOException when the store cannot be reached, naming the endpoints
     */
    ClaimStore open(ClusterConfig config, Observer observer) throws IOException;
  }

  /** Hears what changed in the cluster, on the store's own thread. */
  interface Observer {
    /** The claims of every server, by proxy name, after any change. */
    void claims(Map<String, Claim> byName);

    /** The servers present, after any change. */
    void members(List<Member> members);

    /**
     * Whether this server may serve its claims: false once its lease may have expired in the store
     * (it could not renew for nearly {@code lease_ttl}), true again once it holds them anew.
     */
    default void serving(boolean serving) {}
  }

  /**
   * Claims {@code claim} for this server; a claim of the same client held by another server (or by
   * an earlier session here) is taken over in the same conditional write.
   *
   * @return null when granted, else why not, naming the client and server holding it
   */
  String claim(Claim claim);

  /** Releases {@code proxyName} if {@code session} of this server still holds it. */
  void release(String session, String proxyName);

  /**
   * Records the state of this server's listener for {@code proxy}, or that it has none ({@code
   * state} null), for {@code tls-tunnel cluster status}. Does not block: written in the background,
   * in order, the latest state of each proxy winning, and written again on a new lease.
   */
  void listener(String proxy, ListenerState state);

  /** The claims and members as last seen. */
  Map<String, Claim> claims();

  List<Member> members();

  /** Whether the store answered the last renewal in time. */
  boolean connected();

  /** Leaves the cluster: revokes the lease (every claim of this server goes at once). */
  @Override
  void close();
}
