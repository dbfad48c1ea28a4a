package dev.tlstunnel.config;

/**
 * One proxy of a client: the server publishes {@code publishAddr:publishPort} and the client
 * forwards each connection to {@code localAddr:localPort}.
 *
 * @param bindRetry the retry policy this proxy asks the server for, or null for the server's own
 */
public record ProxyConfig(
    String name,
    String publishAddr,
    int publishPort,
    String localAddr,
    int localPort,
    ProxyType proxyType,
    BindRetryPolicy bindRetry) {}
