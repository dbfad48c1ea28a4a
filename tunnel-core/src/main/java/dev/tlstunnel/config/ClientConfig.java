package dev.tlstunnel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * @param serverFingerprint {@code sha256:<hex>} of the server's certificate to trust exactly, or
 *     null
 * @param reconnect how to come back after the tunnel drops
 * @param keepAlive dead-peer detection
 * @param shutdownGraceMillis how long open streams may finish on shutdown
 * @param proxies the proxies to publish
 * @param visitors local listeners reaching other clients' private proxies
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
    String serverFingerprint,
    ReconnectPolicy reconnect,
    KeepAlive keepAlive,
    long shutdownGraceMillis,
    List<ProxyConfig> proxies,
    List<VisitorConfig> visitors) {

  /** Default admin API address: loopback only. */
  public static final String DEFAULT_ADMIN_ADDR = "127.0.0.1";

  /** Default retries of a failed local connect. */
  public static final int DEFAULT_LOCAL_CONNECT_RETRIES = 3;

  /** Default wait between local connect attempts: 1 second. */
  public static final long DEFAULT_LOCAL_RETRY_DELAY_MILLIS = 1_000;

  /** Default timeout of one local connect: 5 seconds. */
  public static final long DEFAULT_LOCAL_CONNECT_TIMEOUT_MILLIS = 5_000;

  /** Default grace period for open streams on shutdown: 10 seconds. */
  public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 10_000;

  public ClientConfig {
    proxies = List.copyOf(proxies);
    visitors = visitors == null ? List.of() : List.copyOf(visitors);
  }

  /** Every component but the auth key, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ClientConfig[serverAddr="
        + serverAddr
        + ", serverPort="
        + serverPort
        + ", authKey=***, caCertPath="
        + caCertPath
        + ", skipVerify="
        + skipVerify
        + ", clientId="
        + clientId
        + ", adminAddr="
        + adminAddr
        + ", adminPort="
        + adminPort
        + ", exitOnBindFailure="
        + exitOnBindFailure
        + ", localConnectRetries="
        + localConnectRetries
        + ", localRetryDelayMillis="
        + localRetryDelayMillis
        + ", localConnectTimeoutMillis="
        + localConnectTimeoutMillis
        + ", serverFingerprint="
        + serverFingerprint
        + ", reconnect="
        + reconnect
        + ", keepAlive="
        + keepAlive
        + ", shutdownGraceMillis="
        + shutdownGraceMillis
        + ", proxies="
        + proxies
        + ", visitors="
        + visitors
        + "]";
  }

  /** A builder with every default set; {@code server_addr}, port and key must still be given. */
  public static ClientConfigBuilder builder() {
    return new ClientConfigBuilder();
  }

  /** A builder holding this configuration, to derive a changed copy. */
  public ClientConfigBuilder toBuilder() {
    return new ClientConfigBuilder(this);
  }

  /**
   * The default client id: this host's name, with characters outside {@code [A-Za-z0-9._-]}
   * replaced by {@code -} and cut to 64 characters; {@code "client"} when the name is unknown.
   */
  public static String defaultClientId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException | SecurityException e) {
      return "client";
    }
    String id = host.replaceAll("[^A-Za-z0-9._-]", "-");
    id = id.length() > 64 ? id.substring(0, 64) : id;
    return id.isEmpty() ? "client" : id;
  }

  /** A copy that connects to another server port. */
  public ClientConfig withServerPort(int port) {
    return toBuilder().serverPort(port).build();
  }
}
