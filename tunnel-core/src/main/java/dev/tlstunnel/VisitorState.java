package dev.tlstunnel;

import java.time.Duration;
import java.time.Instant;

/**
 * The latest state of one visitor (a local listener whose connections reach another client's
 * private proxy through the server), for the status API and the {@code status} command.
 *
 * @param name the visitor's name
 * @param target {@code CLIENT_ID/PROXY} it reaches
 * @param bindAddr the configured local address
 * @param bindPort the configured local port (0: any)
 * @param local {@code host:port} the local listener is bound to, or null when not listening
 * @param status {@code PENDING} (first bind not done), {@code HEALTHY} (listening), {@code
 *     UNHEALTHY} (bind failed, retrying) or {@code BIND_FAILED} (gave up), as for proxies
 * @param error the diagnosed bind failure, when not healthy
 * @param retryAfter the wait before the next bind attempt, when unhealthy
 * @param nextRetryAt the next bind attempt, when unhealthy
 * @param attempt the bind attempt last reported, 1 = the first; null before it
 * @param maxRetries retries allowed after the first attempt, -1 for no limit; null before it
 * @param activeConnections local connections open right now
 * @param totalConnections local connections accepted since start
 * @param lastError why the last refused or failed connection did not reach the target (the server's
 *     reason, or a local one), or null
 * @param lastErrorAt when {@code lastError} happened
 * @param updatedAt the last change of the listener's state
 */
public record VisitorState(
    String name,
    String target,
    String bindAddr,
    int bindPort,
    String local,
    ProxyStatus status,
    String error,
    Duration retryAfter,
    Instant nextRetryAt,
    Integer attempt,
    Integer maxRetries,
    int activeConnections,
    long totalConnections,
    String lastError,
    Instant lastErrorAt,
    Instant updatedAt) {}
