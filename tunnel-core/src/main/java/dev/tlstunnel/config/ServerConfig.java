package dev.tlstunnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The server's configuration ({@code [server]}), validated: it is made only by {@link #builder()}
 * or {@link ConfigLoader}, both of which run {@link ConfigValidator} and fail naming the key.
 * Immutable; {@link #toBuilder()} derives a changed copy (validated again).
 */
public final class ServerConfig {
  /** Default tunnel listen address: every IPv4 address. */
  public static final String DEFAULT_BIND_ADDR = "0.0.0.0";

  /** Default handshake and authentication deadline. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /** Default grace period for open connections on shutdown. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** The shortest accepted auth key, in characters (server and client). */
  public static final int MIN_AUTH_KEY_LENGTH = 16;

  /** The longest accepted auth key, in characters (the protocol's string bound). */
  public static final int MAX_AUTH_KEY_LENGTH = 1024;

  private final String bindAddr;
  private final int bindPort;
  private final Path certPath;
  private final Path keyPath;
  private final String authKey;
  private final Duration handshakeTimeout;
  private final BindRetryPolicy bindRetry;
  private final KeepAlive keepAlive;
  private final Duration shutdownGrace;
  private final Limits limits;
  private final ServerTransportConfig transport;
  private final EgressConfig egress;
  private final MonitoringConfig monitoring;
  private final ReloadConfig reload;
  private final EdgeConfig edge;
  private final ClusterConfig cluster;

  ServerConfig(
      String bindAddr,
      int bindPort,
      Path certPath,
      Path keyPath,
      String authKey,
      Duration handshakeTimeout,
      BindRetryPolicy bindRetry,
      KeepAlive keepAlive,
      Duration shutdownGrace,
      Limits limits,
      ServerTransportConfig transport,
      EgressConfig egress) {
    this(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeout,
        bindRetry,
        keepAlive,
        shutdownGrace,
        limits,
        transport,
        egress,
        null,
        null,
        null);
  }

  ServerConfig(
      String bindAddr,
      int bindPort,
      Path certPath,
      Path keyPath,
      String authKey,
      Duration handshakeTimeout,
      BindRetryPolicy bindRetry,
      KeepAlive keepAlive,
      Duration shutdownGrace,
      Limits limits,
      ServerTransportConfig transport,
      EgressConfig egress,
      MonitoringConfig monitoring,
      ReloadConfig reload,
      EdgeConfig edge) {
    this(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeout,
        bindRetry,
        keepAlive,
        shutdownGrace,
        limits,
        transport,
        egress,
        monitoring,
        reload,
        edge,
        null);
  }

  ServerConfig(
      String bindAddr,
      int bindPort,
      Path certPath,
      Path keyPath,
      String authKey,
      Duration handshakeTimeout,
      BindRetryPolicy bindRetry,
      KeepAlive keepAlive,
      Duration shutdownGrace,
      Limits limits,
      ServerTransportConfig transport,
      EgressConfig egress,
      MonitoringConfig monitoring,
      ReloadConfig reload,
      EdgeConfig edge,
      ClusterConfig cluster) {
    this.bindAddr = bindAddr;
    this.bindPort = bindPort;
    this.certPath = certPath;
    this.keyPath = keyPath;
    this.authKey = authKey;
    this.handshakeTimeout = handshakeTimeout;
    this.bindRetry = bindRetry;
    this.keepAlive = keepAlive;
    this.shutdownGrace = shutdownGrace;
    this.limits = limits;
    this.transport = transport;
    this.egress = egress;
    this.monitoring = monitoring == null ? MonitoringConfig.DEFAULT : monitoring;
    this.reload = reload;
    this.edge = edge == null ? EdgeConfig.DEFAULT : edge;
    this.cluster = cluster;
  }

  /** This configuration with {@code settings} as its edge; not validated again. */
  ServerConfig withEdge(EdgeConfig settings) {
    return new ServerConfig(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeout,
        bindRetry,
        keepAlive,
        shutdownGrace,
        limits,
        transport,
        egress,
        monitoring,
        reload,
        settings,
        cluster);
  }

  /** A builder with every documented default; the auth key must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The address the tunnel port listens on ({@code server.bind_addr}). */
  public String bindAddr() {
    return bindAddr;
  }

  /** The tunnel port ({@code server.bind_port}); 0 (only in code) picks a free port. */
  public int bindPort() {
    return bindPort;
  }

  /** The PEM certificate chain ({@code server.cert_path}); null when a TLS context is injected. */
  public Path certPath() {
    return certPath;
  }

  /** The PEM private key, PKCS#8 ({@code server.key_path}). */
  public Path keyPath() {
    return keyPath;
  }

  /** The shared key clients must present ({@code server.auth_key}). */
  public String authKey() {
    return authKey;
  }

  /** The deadline for the TLS handshake plus authentication ({@code server.handshake_timeout}). */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Limits and defaults of proxy bind retries ({@code [server.bind_retry]}). */
  public BindRetryPolicy bindRetry() {
    return bindRetry;
  }

  /** Dead-peer detection of client sessions. */
  public KeepAlive keepAlive() {
    return keepAlive;
  }

  /** How long open connections may finish on shutdown ({@code server.shutdown_grace}). */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /** Bounds on connections, streams, proxies and messages ({@code [server.limits]}). */
  public Limits limits() {
    return limits;
  }

  /**
   * The tunnel port's transport and reverse-proxy settings ({@code transport}, {@code path}, {@code
   * decoy_page}, {@code behind_proxy}, {@code trusted_proxies}).
   */
  public ServerTransportConfig transport() {
    return transport;
  }

  /**
   * Whether and where clients' forwarders may connect out from this server ({@code allow_forward},
   * {@code [server.egress]}); off unless set.
   */
  public EgressConfig egress() {
    return egress;
  }

  /**
   * The admin listener, its credentials, the metric label bound and the fault notifications ({@code
   * admin_addr}, {@code admin_port}, {@code admin_token}, {@code [[server.notify]]}, ...).
   */
  public MonitoringConfig monitoring() {
    return monitoring;
  }

  /**
   * How the running server takes a changed configuration ({@code watch}, {@code log_level}, {@code
   * key_rotation_window}).
   */
  public ReloadConfig reload() {
    return reload;
  }

  /**
   * Which ports clients may publish, where picked ports are remembered, and the PROXY protocol from
   * a load balancer in front ({@code allow_ports}, {@code max_ports}, {@code state_dir}, {@code
   * port_lease_ttl}, {@code proxy_protocol}, {@code proxy_protocol_trusted}).
   */
  public EdgeConfig edge() {
    return edge;
  }

  /** {@code [server.cluster]}, or null for a server on its own (the default). */
  public ClusterConfig cluster() {
    return cluster;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerConfig c
        && bindPort == c.bindPort
        && Objects.equals(bindAddr, c.bindAddr)
        && Objects.equals(certPath, c.certPath)
        && Objects.equals(keyPath, c.keyPath)
        && Objects.equals(authKey, c.authKey)
        && Objects.equals(handshakeTimeout, c.handshakeTimeout)
        && Objects.equals(bindRetry, c.bindRetry)
        && Objects.equals(keepAlive, c.keepAlive)
        && Objects.equals(shutdownGrace, c.shutdownGrace)
        && Objects.equals(limits, c.limits)
        && Objects.equals(transport, c.transport)
        && Objects.equals(egress, c.egress)
        && Objects.equals(monitoring, c.monitoring)
        && Objects.equals(reload, c.reload)
        && Objects.equals(edge, c.edge)
        && Objects.equals(cluster, c.cluster);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        bindAddr,
        bindPort,
        certPath,
        keyPath,
        authKey,
        handshakeTimeout,
        bindRetry,
        keepAlive,
        shutdownGrace,
        limits,
        transport,
        egress,
        monitoring,
        reload,
        edge,
        cluster);
  }

  /** Every setting but the auth key, which shows as {@code ***}. */
  @Override
  public String toString() {
    return "ServerConfig[bindAddr="
        + bindAddr
        + ", bindPort="
        + bindPort
        + ", certPath="
        + certPath
        + ", keyPath="
        + keyPath
        + ", authKey=***, handshakeTimeout="
        + handshakeTimeout
        + ", bindRetry="
        + bindRetry
        + ", keepAlive="
        + keepAlive
        + ", shutdownGrace="
        + shutdownGrace
        + ", limits="
        + limits
        + ", transport="
        + transport
        + ", egress="
        + egress
        + ", monitoring="
        + monitoring
        + ", reload="
        + reload
        + ", edge="
        + edge
        + ", cluster="
        + cluster
        + "]";
  }

  /** Builds a validated {@link ServerConfig}; starts from the documented defaults. */
  public static final class Builder {
    private String bindAddr = DEFAULT_BIND_ADDR;
    private int bindPort;
    private Path certPath;
    private Path keyPath;
    private String authKey;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private BindRetryPolicy bindRetry = BindRetryPolicy.DEFAULT;
    private KeepAlive keepAlive = KeepAlive.DEFAULT;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Limits limits = Limits.DEFAULT;
    private ServerTransportConfig transport = ServerTransportConfig.DEFAULT;
    private EgressConfig egress = EgressConfig.OFF;
    private MonitoringConfig monitoring = MonitoringConfig.DEFAULT;
    private ReloadConfig reload = ReloadConfig.DEFAULT;
    private EdgeConfig edge = EdgeConfig.DEFAULT;
    private ClusterConfig cluster;

    Builder() {}

    Builder(ServerConfig c) {
      bindAddr = c.bindAddr;
      bindPort = c.bindPort;
      certPath = c.certPath;
      keyPath = c.keyPath;
      authKey = c.authKey;
      handshakeTimeout = c.handshakeTimeout;
      bindRetry = c.bindRetry;
      keepAlive = c.keepAlive;
      shutdownGrace = c.shutdownGrace;
      limits = c.limits;
      transport = c.transport;
      egress = c.egress;
      monitoring = c.monitoring;
      reload = c.reload;
      edge = c.edge;
      cluster = c.cluster;
    }

    /** The tunnel port's address and port ({@code bind_addr}, {@code bind_port}; 0: any free). */
    public Builder bind(String addr, int port) {
      this.bindAddr = addr;
      this.bindPort = port;
      return this;
    }

    /** The tunnel port ({@code bind_port}; 0 picks a free one). */
    public Builder bindPort(int port) {
      this.bindPort = port;
      return this;
    }

    /** The PEM certificate chain and PKCS#8 key ({@code cert_path}, {@code key_path}). */
    public Builder certificate(Path cert, Path key) {
      this.certPath = cert;
      this.keyPath = key;
      return this;
    }

    public Builder authKey(String key) {
      this.authKey = key;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      return this;
    }

    public Builder bindRetry(BindRetryPolicy policy) {
      this.bindRetry = policy;
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

    public Builder limits(Limits bounds) {
      this.limits = bounds;
      return this;
    }

    /** The tunnel port's transport ({@code tls}, {@code wss}, {@code h2}) and proxy settings. */
    public Builder transport(ServerTransportConfig settings) {
      this.transport = settings;
      return this;
    }

    /** Egress for clients' forwarders ({@code allow_forward}, {@code [server.egress]}). */
    public Builder egress(EgressConfig settings) {
      this.egress = settings;
      return this;
    }

    /** The admin listener, its credentials and the fault notifications. */
    public Builder monitoring(MonitoringConfig settings) {
      this.monitoring = settings;
      return this;
    }

    /** Watching the file, the log level and the key rotation window. */
    public Builder reload(ReloadConfig settings) {
      this.reload = settings;
      return this;
    }

    /** Allowed and picked ports, port leases, PROXY protocol from a load balancer. */
    public Builder edge(EdgeConfig settings) {
      this.edge = settings;
      return this;
    }

    /** Several servers as one ({@code [server.cluster]}); null (the default) for one server. */
    public Builder cluster(ClusterConfig settings) {
      this.cluster = settings;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every problem, each naming its key ({@code server.…})
     */
    public ServerConfig build() throws ConfigException {
      return ConfigValidator.validate(
          new ServerConfig(
              bindAddr,
              bindPort,
              certPath,
              keyPath,
              authKey,
              handshakeTimeout,
              bindRetry,
              keepAlive,
              shutdownGrace,
              limits,
              transport,
              egress,
              monitoring,
              reload,
              edge,
              cluster));
    }
  }
}
