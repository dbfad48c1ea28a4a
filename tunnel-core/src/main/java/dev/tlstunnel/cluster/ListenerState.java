package dev.tlstunnel.cluster;

/**
 * How one server's listener for a published proxy stands, as that server reports it to the cluster:
 * every server listens on every published port, so each has its own state for each.
 *
 * @param node the server ({@code node_id})
 * @param proxy the proxy name
 * @param state {@link #BOUND}, {@link #RETRYING} or {@link #FAILED}
 * @param address where it listens or tries to, {@code host:port}
 * @param attempt the bind attempt the state is the result of (1 for the first)
 * @param message why the last attempt failed, or null when bound
 */
public record ListenerState(
    String node, String proxy, String state, String address, int attempt, String message) {
  /** Listening. */
  public static final String BOUND = "bound";

  /** The last bind failed; another attempt is scheduled. */
  public static final String RETRYING = "retrying";

  /** The bind failed and the retries are used up. */
  public static final String FAILED = "failed";
}
