package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The client's configuration ({@code [client]} and {@code [[proxies]]}).
 *
 * @param serverAddr the server's host name or address
 * @param serverPort the server's tunnel port
 * @param authKey the shared key
 * @param caCertPath PEM CA certificate(s) to verify the server with; null for the system trust
 *     store
 * @param skipVerify accept any server certificate (insecure)
 * @param clientId the client's identity (default: host name)
 * @param adminAddr the admin API address (loopback by default)
 * @param adminPort the admin API port, or null when the admin API is off
 * @param exitOnBindFailure exit with {@code 3} when a proxy ends {@code bind_failed} or rejected
 * @param localConnectRetries retries of a failed local connect
 * @param localRetryDelayMillis the wait between local connect attempts
 * @param localConnectTimeoutMillis the timeout of one local connect
 * @param proxies the proxies to publish
 */
public record ClientConfig(
    String serverAddr,
    int serverPort,
    String authKey,
    Path caCertPath,
    boolean skipVerify,
    String clientId,
    String adminAddr,
    Integer adminPort,
    boolean exitOnBindFailure,
    int localConnectRetries,
    long localRetryDelayMillis,
    long localConnectTimeoutMillis,
    List<ProxyConfig> proxies) {

  public ClientConfig {
    proxies = List.copyOf(proxies);
  }

  /** A copy that connects to another server port. */
  public ClientConfig withServerPort(int port) {
    return new ClientConfig(
        serverAddr,
        port,
        authKey,
        caCertPath,
        skipVerify,
        clientId,
        adminAddr,
        adminPort,
        exitOnBindFailure,
        localConnectRetries,
        localRetryDelayMillis,
        localConnectTimeoutMillis,
        proxies);
  }
}
