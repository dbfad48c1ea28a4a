/**
 * The tunnel client: dials the server, authenticates, registers its proxies, tracks each proxy's
 * state as the server reports it, and connects every stream the server opens to the local service.
 * {@link dev.tlstunnel.client.TunnelClient} is the facade; the rest is package-private.
 */
package dev.tlstunnel.client;
