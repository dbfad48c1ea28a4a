package dev.tlstunnel.protocol;

/**
 * Server to client, at every change of a proxy's state.
 *
 * @param proxyName the proxy
 * @param status its new state
 * @param errorMessage the diagnosed bind failure, when not healthy
 * @param retryAfterSeconds seconds until the next attempt, when unhealthy
 * @param attempt the number of the attempt that just failed or succeeded (1 = first)
 * @param maxRetries retries allowed after the first attempt, -1 for no limit
 * @param publishAddr the address the proxy is published on
 * @param publishPort the port the proxy is published on
 */
public record ProxyStatusUpdate(
    String proxyName,
    ProxyStatus status,
    String errorMessage,
    Double retryAfterSeconds,
    Integer attempt,
    Integer maxRetries,
    String publishAddr,
    Integer publishPort)
    implements ControlMessage {}
