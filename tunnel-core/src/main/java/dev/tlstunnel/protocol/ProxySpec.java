package dev.tlstunnel.protocol;

/**
 * One proxy the client asks the server to publish.
 *
 * @param name unique name of the proxy within the server
 * @param publishAddr the address the server listens on
 * @param publishPort the port the server listens on
 * @param proxyType {@code tcp}, {@code http/1.1} or {@code http/2.0}
 * @param bindRetry the bind retry policy the client asks for, or null for the server's
 */
public record ProxySpec(
    String name, String publishAddr, int publishPort, String proxyType, BindRetrySpec bindRetry) {}
