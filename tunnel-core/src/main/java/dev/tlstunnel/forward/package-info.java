/**
 * Forwarders: HTTP and SOCKS5 proxies on the client's host for local applications. Each target is
 * routed by the forwarder's rules (domain, CIDR, port, GeoIP country) directly from the client,
 * through the tunnel with the server as the egress, or nowhere; both routes are SSRF-checked (the
 * direct one here, the tunnel one on the server). Listeners bind and retry like published ports.
 * {@link dev.tlstunnel.forward.Forwarders} is used by the client; the rest is package-private.
 */
package dev.tlstunnel.forward;
