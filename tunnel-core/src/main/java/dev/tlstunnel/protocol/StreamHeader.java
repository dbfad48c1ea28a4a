package dev.tlstunnel.protocol;

/**
 * The header at the start of every server-opened data stream: which proxy it belongs to, who the
 * public peer is and which address it reached. Raw bytes follow it.
 *
 * @param proxyName the proxy the public connection arrived on
 * @param peerAddr the public peer's IP address (from a trusted load balancer's PROXY header when
 *     the server reads one)
 * @param peerPort the public peer's port
 * @param destAddr the address the public peer connected to, or null (servers before it sent none)
 * @param destPort the port the public peer connected to, or null
 */
public record StreamHeader(
    String proxyName, String peerAddr, int peerPort, String destAddr, Integer destPort) {

  /** A header without the destination. */
  public StreamHeader(String proxyName, String peerAddr, int peerPort) {
    this(proxyName, peerAddr, peerPort, null, null);
  }
}
