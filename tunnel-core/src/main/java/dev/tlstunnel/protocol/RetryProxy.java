package dev.tlstunnel.protocol;

/**
 * Client to server: start the bind schedule of a proxy that gave up ({@code bind_failed}) again,
 * from its first attempt. Answered by {@link RetryProxyResult}; a server that does not know this
 * message ignores it and sends nothing.
 *
 * @param proxyName the proxy, registered by this client in this session
 */
public record RetryProxy(String proxyName) implements ControlMessage {}
