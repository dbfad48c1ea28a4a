package dev.tlstunnel.protocol;

/**
 * The header at the start of every server-opened data stream: which proxy it belongs to, who the
 * peer is and which address it reached. Raw bytes follow it.
 *
 * @param proxyName the proxy the connection arrived on
 * @param peerAddr the peer's IP address: the public peer (from a trusted load balancer's PROXY
 *     header when the server reads one), or the visitor's tunnel address
 * @param peerPort the peer's port
 * @param visitor the client id of the visitor when the stream comes from one (a private proxy),
 *     else null
 * @param destAddr the address the public peer connected to, or null (servers before it sent none)
 * @param destPort the port the public peer connected to, or null
 */
public record StreamHeader(
    String proxyName,
    String peerAddr,
    int peerPort,
    String visitor,
    String destAddr,
    Integer destPort) {

  /** A header for a connection from the public (no visitor), without the destination. */
  public StreamHeader(String proxyName, String peerAddr, int peerPort) {
    this(proxyName, peerAddr, peerPort, null, null, null);
  }

  /** A header for a visitor's connection. */
  public StreamHeader(String proxyName, String peerAddr, int peerPort, String visitor) {
    this(proxyName, peerAddr, peerPort, visitor, null, null);
  }

  /** A header for a connection from the public that reached {@code destAddr:destPort}. */
  public StreamHeader(
      String proxyName, String peerAddr, int peerPort, String destAddr, Integer destPort) {
    this(proxyName, peerAddr, peerPort, null, destAddr, destPort);
  }
}
