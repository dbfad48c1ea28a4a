package dev.tlstunnel.proxyproto;

import java.net.InetSocketAddress;

/**
 * Who a connection is from and what it reached: from a PROXY protocol header when one was read,
 * else the socket's own addresses.
 *
 * @param source the client
 * @param destination the address the client connected to
 * @param fromHeader whether a header named them
 */
public record Endpoints(
    InetSocketAddress source, InetSocketAddress destination, boolean fromHeader) {}
