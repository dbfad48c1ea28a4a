package dev.tlstunnel.protocol;

/**
 * The header at the start of every server-opened data stream: which proxy it belongs to and who the
 * peer is. Raw bytes follow it.
 *
 * @param proxyName the proxy the connection arrived on
 * @param peerAddr the peer's IP address: the public peer, or the visitor's tunnel address
 * @param peerPort the peer's port
 * @param visitor the client id of the visitor when the stream comes from one (a private proxy),
 *     else null
 */
public record StreamHeader(String proxyName, String peerAddr, int peerPort, String visitor) {

  /** A header for a connection from the public (no visitor). */
  public StreamHeader(String proxyName, String peerAddr, int peerPort) {
    this(proxyName, peerAddr, peerPort, null);
  }
}
