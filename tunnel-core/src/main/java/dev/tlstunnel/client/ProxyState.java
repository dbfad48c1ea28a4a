package dev.tlstunnel.client;

/**
 * The latest known state of one proxy, as the client sees it.
 *
 * @param name the proxy name
 * @param status {@code pending} (not yet answered), {@code healthy}, {@code unhealthy}, {@code
 *     bind_failed} or {@code rejected}
 * @param publishAddr the address the server publishes it on
 * @param publishPort the port the server publishes it on
 * @param local {@code host:port} of the local service
 * @param error the last error: the server's bind diagnosis or the rejection reason
 * @param retryAfterSeconds seconds until the server's next bind attempt, as announced
 * @param nextRetryAt ISO-8601 instant of the next bind attempt, when unhealthy
 * @param attempt the attempt the server last reported
 * @param maxRetries the retries the server allows, -1 for no limit
 * @param updatedAt ISO-8601 instant of the last change
 */
public record ProxyState(
    String name,
    String status,
    String publishAddr,
    int publishPort,
    String local,
    String error,
    Double retryAfterSeconds,
    String nextRetryAt,
    Integer attempt,
    Integer maxRetries,
    String updatedAt) {}
