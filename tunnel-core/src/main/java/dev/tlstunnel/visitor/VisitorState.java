package dev.tlstunnel.visitor;

/**
 * The latest state of one visitor, as {@code tls-tunnel status} shows it.
 *
 * @param name the visitor's name
 * @param target {@code CLIENT_ID/PROXY} it reaches
 * @param bindAddr the configured local address
 * @param bindPort the configured local port (0: any)
 * @param local {@code host:port} the local listener is bound to, or null when not listening
 * @param status {@code pending} (first bind not done), {@code healthy} (listening), {@code
 *     unhealthy} (bind failed, retrying) or {@code bind_failed} (gave up)
 * @param error the diagnosed bind failure, when not healthy
 * @param retryAfterSeconds the wait before the next bind attempt, when unhealthy
 * @param nextRetryAt ISO-8601 instant of the next bind attempt, when unhealthy
 * @param attempt the bind attempt last reported, 1 = the first
 * @param maxRetries retries allowed after the first attempt, -1 for no limit
 * @param activeConnections local connections open right now
 * @param totalConnections local connections accepted since start
 * @param lastError why the last refused or failed connection did not reach the target (the server's
 *     reason, or a local one), or null
 * @param lastErrorAt ISO-8601 instant of {@code lastError}
 * @param updatedAt ISO-8601 instant of the last change of the listener's state
 */
public record VisitorState(
    String name,
    String target,
    String bindAddr,
    int bindPort,
    String local,
    String status,
    String error,
    Double retryAfterSeconds,
    String nextRetryAt,
    Integer attempt,
    Integer maxRetries,
    int activeConnections,
    long totalConnections,
    String lastError,
    String lastErrorAt,
    String updatedAt) {}
