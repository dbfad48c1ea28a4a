/**
 * The PROXY protocol (HAProxy's version 1 text and version 2 binary headers), on Netty's HAProxy
 * codec: reading the header a trusted load balancer puts in front of a connection ({@link
 * InboundProxyProtocol}, for the server's tunnel port and published ports) and writing one towards
 * a local service ({@link ProxyHeaders}, for a proxy's client). A leaf: it knows nothing of
 * sessions, proxies or the tunnel, and reports what it read and what it refused to its caller.
 */
package dev.tlstunnel.proxyproto;
