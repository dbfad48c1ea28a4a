/** tls-tunnel: a reverse tunnel over TLS with multiplexed streams. */
package dev.tlstunnel;
