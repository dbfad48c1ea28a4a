/**
 * The tunnel server: accepts TLS connections from clients, authenticates them on the control
 * stream, publishes their proxies (each binding on its own, retrying with backoff) and turns every
 * public connection into a stream of the owning session. {@link dev.tlstunnel.server.TunnelServer}
 * is the facade; the rest is package-private.
 */
package dev.tlstunnel.server;
