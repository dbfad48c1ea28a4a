package dev.tlstunnel.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The client's configuration ({@code [client]} and {@code [[proxies]]}), validated: it is made only
 * by {@link #builder()} or {@link ConfigLoader}, both of which run {@link ConfigValidator} and fail
 * naming the key. Immutable; {@link #toBuilder()} derives a changed copy (validated again).
 */
public final class ClientConfig {
  /** Default admin API address: loopback only. */
  public static final String DEFAULT_ADMIN_ADDR = "127.0.0.1";

  /** Default retries of a failed local connect. */
  public static final int DEFAULT_LOCAL_CONNECT_RETRIES = 3;

  /** Default wait between local connect attempts. */
  public static final Duration DEFAULT_LOCAL_RETRY_DELAY = Duration.ofSeconds(1);

  /** Default timeout of one local connect. */
  public static final Duration DEFAULT_LOCAL_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default grace period for open streams on shutdown. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final String serverAddr;
  private final int serverPort;
  private final String authKey;
  private final Path caCertPath;
  private final boolean skipVerify;
  private final String clientId;
  private final String adminAddr;
  private final Integer adminPort;
  private final boolean exitOnBindFailure;
  private final int localConnectRetries;
  private final Duration localRetryDelay;
  private final Duration localConnectTimeout;
  private final String serverFingerprint;
  private final ReconnectPolicy reconnect;
  private final KeepAlive keepAlive;
  private final Duration shutdownGrace;
  private final List<ProxyConfig> proxies;
  private final ClientTransportConfig transport;
  private final List<ForwarderConfig> forwarders;
  private final ReloadConfig reload;
  private final List<VisitorConfig> visitors;
  private final MonitoringConfig monitoring;
  private final List<String> moreServers;

  ClientConfig(Builder b) {
    moreServers = List.copyOf(b.moreServers);
    serverAddr = b.serverAddr;
    serverPort = b.serverPort;
    authKey = b.authKey;
    caCertPath = b.caCertPath;
    skipVerify = b.skipVerify;
    clientId = b.clientId;
    adminAddr = b.adminAddr;
    adminPort = b.adminPort;
    exitOnBindFailure = b.exitOnBindFailure;
    localConnectRetries = b.localConnectRetries;
    localRetryDelay = b.localRetryDelay;
    localConnectTimeout = b.localConnectTimeout;
    serverFingerprint = b.serverFingerprint;
    reconnect = b.reconnect;
    keepAlive = b.keepAlive;
    shutdownGrace = b.shutdownGrace;
    transport = b.transport;
    reload = b.reload;
    // Null entries are kept for the validator to report; a validated config has none.
    proxies =
        b.proxies == null
            ? List.of()
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(b.proxies));
    forwarders =
        b.forwarders == null
            ? List.of()
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(b.forwarders));
    visitors =
        b.visitors == null
            ? List.of()
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(b.visitors));
    monitoring = b.monitoring == null ? MonitoringConfig.DEFAULT : b.monitoring;
  }

  /** A builder with every documented default; the server and the auth key must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The server's host name or address ({@code client.server_addr}). */
  public String serverAddr() {
    return serverAddr;
  }

  /** The server's tunnel port ({@code client.server_port}). */
  public int serverPort() {
    return serverPort;
  }

  /** The shared key ({@code client.auth_key}). */
  public String authKey() {
    return authKey;
  }

  /** PEM CA certificate(s) to verify the server with; null for the system trust store. */
  public Path caCertPath() {
    return caCertPath;
  }

  /** Whether any server certificate is accepted (insecure; {@code client.skip_verify}). */
  public boolean skipVerify() {
    return skipVerify;
  }

  /** The client's identity ({@code client.client_id}; default: the host name). */
  public String clientId() {
    return clientId;
  }

  /** The admin API address ({@code client.admin_addr}). */
  public String adminAddr() {
    return adminAddr;
  }

  /** The admin API port, or null when the admin API is off ({@code client.admin_port}). */
  public Integer adminPort() {
    return adminPort;
  }

  /** Whether the client ends when a proxy ends {@code bind_failed} or rejected. */
  public boolean exitOnBindFailure() {
    return exitOnBindFailure;
  }

  /** Retries of a failed local connect ({@code client.local_connect_retries}). */
  public int localConnectRetries() {
    return localConnectRetries;
  }

  /** The wait between local connect attempts ({@code client.local_retry_delay}). */
  public Duration localRetryDelay() {
    return localRetryDelay;
  }

  /** The timeout of one local connect ({@code client.local_connect_timeout}). */
  public Duration localConnectTimeout() {
    return localConnectTimeout;
  }

  /** {@code sha256:<hex>} of the server certificate to trust exactly, or null. */
  public String serverFingerprint() {
    return serverFingerprint;
  }

  /** How to come back after the tunnel drops ({@code [client.reconnect]}). */
  public ReconnectPolicy reconnect() {
    return reconnect;
  }

  /** Dead-peer detection. */
  public KeepAlive keepAlive() {
    return keepAlive;
  }

  /** How long open streams may finish on shutdown ({@code client.shutdown_grace}). */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /** The proxies to publish, in configuration order. */
  public List<ProxyConfig> proxies() {
    return proxies;
  }

  /**
   * How the client reaches the server ({@code transport}, {@code path}, {@code host}, {@code
   * headers}, {@code ping_interval}, {@code proxy_url}).
   */
  public ClientTransportConfig transport() {
    return transport;
  }

  /** Local HTTP and SOCKS5 proxies ({@code [[forwarders]]}), in configuration order. */
  public List<ForwarderConfig> forwarders() {
    return forwarders;
  }

  /** How the running client takes a changed configuration ({@code watch}, {@code log_level}). */
  public ReloadConfig reload() {
    return reload;
  }

  /**
   * The admin API's credentials, the metric label bound and the fault notifications ({@code
   * admin_token}, {@code admin_user}, {@code [[client.notify]]}, ...).
   */
  public MonitoringConfig monitoring() {
    return monitoring;
  }

  /**
   * Local listeners whose connections reach other clients' private proxies ({@code [[visitors]]}),
   * in configuration order.
   */
  public List<VisitorConfig> visitors() {
    return visitors;
  }

  /**
   * The further servers of a cluster ({@code server_addr = ["a", "b:7001", ...]} after the first),
   * as written: {@code host} (on {@code server_port}) or {@code host:port}.
   */
  public List<String> moreServers() {
    return moreServers;
  }

  /**
   * Every server the client may dial, {@code host:port} each, in order: {@link #server()} first,
   * then {@link #moreServers()}. The client dials the first; after each attempt that failed or
   * tunnel that dropped it dials the next one, round the list.
   */
  public List<String> servers() {
    List<String> all = new java.util.ArrayList<>();
    all.add(server());
    for (String s : moreServers) {
      boolean hasPort =
          s.startsWith("[")
              ? s.contains("]:")
              : s.indexOf(':') == s.lastIndexOf(':') && s.contains(":");
      all.add(hasPort ? s : Addresses.hostPort(s, serverPort));
    }
    return all;
  }

  /** {@code server_addr:server_port}, IPv6 literals in brackets. */
  public String server() {
    return Addresses.hostPort(serverAddr, serverPort);
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

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientConfig c
        && serverPort == c.serverPort
        && skipVerify == c.skipVerify
        && exitOnBindFailure == c.exitOnBindFailure
        && localConnectRetries == c.localConnectRetries
        && Objects.equals(serverAddr, c.serverAddr)
        && moreServers.equals(c.moreServers)
        && Objects.equals(authKey, c.authKey)
        && Objects.equals(caCertPath, c.caCertPath)
        && Objects.equals(clientId, c.clientId)
        && Objects.equals(adminAddr, c.adminAddr)
        && Objects.equals(adminPort, c.adminPort)
        && Objects.equals(localRetryDelay, c.localRetryDelay)
        && Objects.equals(localConnectTimeout, c.localConnectTimeout)
        && Objects.equals(serverFingerprint, c.serverFingerprint)
        && Objects.equals(reconnect, c.reconnect)
        && Objects.equals(keepAlive, c.keepAlive)
        && Objects.equals(shutdownGrace, c.shutdownGrace)
        && proxies.equals(c.proxies)
        && Objects.equals(transport, c.transport)
        && forwarders.equals(c.forwarders)
        && visitors.equals(c.visitors)
        && monitoring.equals(c.monitoring)
        && Objects.equals(reload, c.reload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(serverAddr, serverPort, clientId, adminPort, serverFingerprint, proxies);
  }

  /** Every setting but the auth key, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ClientConfig[serverAddr="
        + serverAddr
        + ", moreServers="
        + moreServers
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
        + ", localRetryDelay="
        + localRetryDelay
        + ", localConnectTimeout="
        + localConnectTimeout
        + ", serverFingerprint="
        + serverFingerprint
        + ", reconnect="
        + reconnect
        + ", keepAlive="
        + keepAlive
        + ", shutdownGrace="
        + shutdownGrace
        + ", proxies="
        + proxies
        + ", transport="
        + transport
        + ", forwarders="
        + forwarders
        + ", reload="
        + reload
        + ", visitors="
        + visitors
        + ", monitoring="
        + monitoring
        + "]";
  }

  /** Builds a validated {@link ClientConfig}; starts from the documented defaults. */
  public static final class Builder {
    String serverAddr;
    List<String> moreServers = List.of();
    int serverPort;
    String authKey;
    Path caCertPath;
    boolean skipVerify;
    String clientId;
    String adminAddr = DEFAULT_ADMIN_ADDR;
    Integer adminPort;
    boolean exitOnBindFailure;
    int localConnectRetries = DEFAULT_LOCAL_CONNECT_RETRIES;
    Duration localRetryDelay = DEFAULT_LOCAL_RETRY_DELAY;
    Duration localConnectTimeout = DEFAULT_LOCAL_CONNECT_TIMEOUT;
    String serverFingerprint;
    ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
    KeepAlive keepAlive = KeepAlive.DEFAULT;
    Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    List<ProxyConfig> proxies = new java.util.ArrayList<>();
    ClientTransportConfig transport = ClientTransportConfig.DEFAULT;
    List<ForwarderConfig> forwarders = new java.util.ArrayList<>();
    ReloadConfig reload = ReloadConfig.DEFAULT;
    List<VisitorConfig> visitors = new java.util.ArrayList<>();
    MonitoringConfig monitoring = MonitoringConfig.DEFAULT;

    Builder() {}

    Builder(ClientConfig c) {
      serverAddr = c.serverAddr;
      moreServers = c.moreServers;
      serverPort = c.serverPort;
      authKey = c.authKey;
      caCertPath = c.caCertPath;
      skipVerify = c.skipVerify;
      clientId = c.clientId;
      adminAddr = c.adminAddr;
      adminPort = c.adminPort;
      exitOnBindFailure = c.exitOnBindFailure;
      localConnectRetries = c.localConnectRetries;
      localRetryDelay = c.localRetryDelay;
      localConnectTimeout = c.localConnectTimeout;
      serverFingerprint = c.serverFingerprint;
      reconnect = c.reconnect;
      keepAlive = c.keepAlive;
      shutdownGrace = c.shutdownGrace;
      proxies = new java.util.ArrayList<>(c.proxies);
      transport = c.transport;
      forwarders = new java.util.ArrayList<>(c.forwarders);
      reload = c.reload;
      visitors = new java.util.ArrayList<>(c.visitors);
      monitoring = c.monitoring;
    }

    /** The server's host and tunnel port ({@code server_addr}, {@code server_port}). */
    public Builder server(String addr, int port) {
      this.serverAddr = addr;
      this.serverPort = port;
      return this;
    }

    /**
     * Further servers of a cluster, {@code host} or {@code host:port} each (the rest of {@code
     * server_addr} when it lists several): tried in turn when a server cannot be reached or its
     * tunnel drops.
     */
    public Builder moreServers(List<String> servers) {
      this.moreServers = servers == null ? List.of() : List.copyOf(servers);
      return this;
    }

    public Builder serverPort(int port) {
      this.serverPort = port;
      return this;
    }

    public Builder authKey(String key) {
      this.authKey = key;
      return this;
    }

    public Builder caCertPath(Path path) {
      this.caCertPath = path;
      return this;
    }

    public Builder skipVerify(boolean skip) {
      this.skipVerify = skip;
      return this;
    }

    public Builder clientId(String id) {
      this.clientId = id;
      return this;
    }

    /** The admin API's address and port; a null port turns it off, 0 picks a free one. */
    public Builder admin(String addr, Integer port) {
      this.adminAddr = addr;
      this.adminPort = port;
      return this;
    }

    public Builder exitOnBindFailure(boolean exit) {
      this.exitOnBindFailure = exit;
      return this;
    }

    /** Local connect attempts: retries after the first, the wait between them, each's timeout. */
    public Builder localConnect(int retries, Duration retryDelay, Duration timeout) {
      this.localConnectRetries = retries;
      this.localRetryDelay = retryDelay;
      this.localConnectTimeout = timeout;
      return this;
    }

    public Builder serverFingerprint(String fingerprint) {
      this.serverFingerprint = fingerprint;
      return this;
    }

    public Builder reconnect(ReconnectPolicy policy) {
      this.reconnect = policy;
      return this;
    }

    public Builder keepAlive(KeepAlive settings) {
      this.keepAlive = settings;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = grace;
      return this;
    }

    /** Replaces the proxies. */
    public Builder proxies(List<ProxyConfig> list) {
      this.proxies = new java.util.ArrayList<>(list);
      return this;
    }

    /** How the client reaches the server ({@code tls}, {@code wss}, {@code h2}, a proxy). */
    public Builder transport(ClientTransportConfig settings) {
      this.transport = settings;
      return this;
    }

    /** Replaces the forwarders ({@code [[forwarders]]}). */
    public Builder forwarders(List<ForwarderConfig> list) {
      this.forwarders = new java.util.ArrayList<>(list);
      return this;
    }

    /** Watching the file and the log level ({@code watch}, {@code log_level}). */
    public Builder reload(ReloadConfig settings) {
      this.reload = settings;
      return this;
    }

    /** Adds a local HTTP or SOCKS5 proxy. */
    public Builder addForwarder(ForwarderConfig forwarder) {
      this.forwarders.add(forwarder);
      return this;
    }

    /** The admin API's credentials and the fault notifications. */
    public Builder monitoring(MonitoringConfig settings) {
      this.monitoring = settings;
      return this;
    }

    /** Replaces the visitors ({@code [[visitors]]}). */
    public Builder visitors(List<VisitorConfig> list) {
      this.visitors = new java.util.ArrayList<>(list);
      return this;
    }

    /** Adds a visitor: a local listener reaching another client's private proxy. */
    public Builder addVisitor(VisitorConfig visitor) {
      this.visitors.add(visitor);
      return this;
    }

    public Builder addProxy(ProxyConfig proxy) {
      this.proxies.add(proxy);
      return this;
    }

    /**
     * Adds a proxy that this configuration validates when it is built, naming it by its index
     * ({@code proxies[2].publish_port: ...}) rather than on its own.
     */
    public Builder addProxy(ProxyConfig.Builder proxy) {
      this.proxies.add(proxy.unchecked());
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every problem, each naming its key ({@code client.…}, {@code
     *     proxies[2].…})
     */
    public ClientConfig build() throws ConfigException {
      return ConfigValidator.validate(new ClientConfig(this));
    }
  }
}
