package dev.tlstunnel.protocol;

/**
 * Server to client, the answer to {@link RetryProxy}: the schedule restarted (its attempts follow
 * as {@code proxy_status_update}s), or why not.
 *
 * @param proxyName the proxy the request named
 * @param accepted whether the bind schedule started again
 * @param reason why not, when not accepted: the proxy is unknown, listening, or still retrying
 */
public record RetryProxyResult(String proxyName, boolean accepted, String reason)
    implements ControlMessage {}
