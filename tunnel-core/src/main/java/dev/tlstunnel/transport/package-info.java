/**
 * How bytes reach the peer: the native or NIO transport, and TLS contexts (BoringSSL when it loads,
 * the JDK otherwise).
 */
package dev.tlstunnel.transport;
