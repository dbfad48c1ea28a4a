/**
 * How bytes reach the peer: the native or NIO socket transport, TLS contexts (BoringSSL when it
 * loads, the JDK otherwise), and the tunnel transports below yamux ({@code tls}, {@code wss},
 * {@code h2}, an outbound proxy, a reverse proxy in front): {@link
 * dev.tlstunnel.transport.ServerTransport} and {@link dev.tlstunnel.transport.ClientTransport} turn
 * a new connection into a plain byte stream and signal when it is ready; yamux and everything above
 * never know which transport carries them.
 */
package dev.tlstunnel.transport;
