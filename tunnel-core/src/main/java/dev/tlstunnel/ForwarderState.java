package dev.tlstunnel;

/**
 * What one forwarder is doing, for the status API and the {@code status} command.
 *
 * @param name the forwarder's name
 * @param type {@code http} or {@code socks5}
 * @param listen {@code addr:port} it listens on (the bound port once listening)
 * @param status {@code PENDING}, {@code HEALTHY}, {@code UNHEALTHY} (retrying the bind) or {@code
 *     BIND_FAILED}, as for proxies
 * @param bindError why the listener is not listening, or null
 * @param activeConnections application connections open now
 * @param totalConnections application connections accepted since start
 * @param rejectedConnections connections closed at accept because {@code max_connections} were open
 * @param direct connections made directly from the client
 * @param tunneled connections made through the server
 * @param blocked requests refused (by a rule, the direct policy or the server)
 * @param bytesIn bytes received from applications
 * @param bytesOut bytes sent to applications
 * @param lastError the last failed request, or null
 */
public record ForwarderState(
    String name,
    String type,
    String listen,
    ProxyStatus status,
    String bindError,
    long activeConnections,
    long totalConnections,
    long rejectedConnections,
    long direct,
    long tunneled,
    long blocked,
    long bytesIn,
    long bytesOut,
    String lastError) {}
