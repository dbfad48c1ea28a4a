package dev.tlstunnel.protocol;

/**
 * Client to server, when the health check of a proxy's local service changes its verdict: after
 * {@code unhealthy_after} failures in a row the proxy gets no connections ({@code healthy =
 * false}), after {@code healthy_after} successes in a row it serves again. A server that does not
 * know this message ignores it.
 *
 * @param proxyName a proxy this client registered in this session
 * @param healthy whether the local service passes its check
 * @param reason when not healthy: the last failure, e.g. {@code HTTP 500 from /health}
 */
public record ProxyHealth(String proxyName, boolean healthy, String reason)
    implements ControlMessage {}
