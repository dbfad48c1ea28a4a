package dev.tlstunnel.protocol;

/**
 * The header at the start of every server-opened data stream: which proxy it belongs to and who the
 * public peer is. Raw bytes follow it.
 *
 * @param proxyName the proxy the public connection arrived on
 * @param peerAddr the public peer's IP address
 * @param peerPort the public peer's port
 */
public record StreamHeader(String proxyName, String peerAddr, int peerPort) {}
