package dev.tlstunnel.cluster;

/**
 * One proxy held in the cluster: the name, and the port when it is published.
 *
 * @param node the server holding the client's session ({@code node_id})
 * @param client the client id
 * @param session which session of that client on that server holds it
 * @param proxyName the proxy name, unique in the cluster
 * @param publishAddr the publish address, or null for a private proxy
 * @param publishPort the publish port; 0 for a private proxy
 */
public record Claim(
    String node,
    String client,
    String session,
    String proxyName,
    String publishAddr,
    int publishPort) {

  /** Whether every server must listen on this claim's port. */
  public boolean published() {
    return publishAddr != null && publishPort > 0;
  }
}
