package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link ClientConfig} for code that embeds the client or derives a changed copy. Starts
 * with every documented default; the result is not validated (use {@link ConfigValidator}).
 */
public final class ClientConfigBuilder {
  private String serverAddr;
  private int serverPort;
  private String authKey;
  private Path caCertPath;
  private boolean skipVerify;
  private String clientId;
  private String adminAddr = ClientConfig.DEFAULT_ADMIN_ADDR;
  private Integer adminPort;
  private boolean exitOnBindFailure;
  private int localConnectRetries = ClientConfig.DEFAULT_LOCAL_CONNECT_RETRIES;
  private long localRetryDelayMillis = ClientConfig.DEFAULT_LOCAL_RETRY_DELAY_MILLIS;
  private long localConnectTimeoutMillis = ClientConfig.DEFAULT_LOCAL_CONNECT_TIMEOUT_MILLIS;
  private String serverFingerprint;
  private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
  private KeepAlive keepAlive = KeepAlive.DEFAULT;
  private long shutdownGraceMillis = ClientConfig.DEFAULT_SHUTDOWN_GRACE_MILLIS;
  private List<ProxyConfig> proxies = new ArrayList<>();
  private List<VisitorConfig> visitors = new ArrayList<>();

  ClientConfigBuilder() {}

  ClientConfigBuilder(ClientConfig c) {
    serverAddr = c.serverAddr();
    serverPort = c.serverPort();
    authKey = c.authKey();
    caCertPath = c.caCertPath();
    skipVerify = c.skipVerify();
    clientId = c.clientId();
    adminAddr = c.adminAddr();
    adminPort = c.adminPort();
    exitOnBindFailure = c.exitOnBindFailure();
    localConnectRetries = c.localConnectRetries();
    localRetryDelayMillis = c.localRetryDelayMillis();
    localConnectTimeoutMillis = c.localConnectTimeoutMillis();
    serverFingerprint = c.serverFingerprint();
    reconnect = c.reconnect();
    keepAlive = c.keepAlive();
    shutdownGraceMillis = c.shutdownGraceMillis();
    proxies = new ArrayList<>(c.proxies());
    visitors = new ArrayList<>(c.visitors());
  }

  public ClientConfigBuilder server(String addr, int port) {
    this.serverAddr = addr;
    this.serverPort = port;
    return this;
  }

  public ClientConfigBuilder serverPort(int port) {
    this.serverPort = port;
    return this;
  }

  public ClientConfigBuilder authKey(String key) {
    this.authKey = key;
    return this;
  }

  public ClientConfigBuilder caCertPath(Path path) {
    this.caCertPath = path;
    return this;
  }

  public ClientConfigBuilder skipVerify(boolean skip) {
    this.skipVerify = skip;
    return this;
  }

  public ClientConfigBuilder clientId(String id) {
    this.clientId = id;
    return this;
  }

  public ClientConfigBuilder admin(String addr, Integer port) {
    this.adminAddr = addr;
    this.adminPort = port;
    return this;
  }

  public ClientConfigBuilder exitOnBindFailure(boolean exit) {
    this.exitOnBindFailure = exit;
    return this;
  }

  public ClientConfigBuilder localConnect(int retries, long retryDelayMillis, long timeoutMillis) {
    this.localConnectRetries = retries;
    this.localRetryDelayMillis = retryDelayMillis;
    this.localConnectTimeoutMillis = timeoutMillis;
    return this;
  }

  public ClientConfigBuilder serverFingerprint(String fingerprint) {
    this.serverFingerprint = fingerprint;
    return this;
  }

  public ClientConfigBuilder reconnect(ReconnectPolicy policy) {
    this.reconnect = policy;
    return this;
  }

  public ClientConfigBuilder keepAlive(KeepAlive keepAlive) {
    this.keepAlive = keepAlive;
    return this;
  }

  public ClientConfigBuilder shutdownGraceMillis(long millis) {
    this.shutdownGraceMillis = millis;
    return this;
  }

  public ClientConfigBuilder proxies(List<ProxyConfig> proxies) {
    this.proxies = new ArrayList<>(proxies);
    return this;
  }

  public ClientConfigBuilder addProxy(ProxyConfig proxy) {
    this.proxies.add(proxy);
    return this;
  }

  public ClientConfigBuilder visitors(List<VisitorConfig> visitors) {
    this.visitors = new ArrayList<>(visitors);
    return this;
  }

  public ClientConfigBuilder addVisitor(VisitorConfig visitor) {
    this.visitors.add(visitor);
    return this;
  }

  public ClientConfig build() {
    return new ClientConfig(
        serverAddr,
        serverPort,
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
        serverFingerprint,
        reconnect,
        keepAlive,
        shutdownGraceMillis,
        proxies,
        visitors);
  }
}
