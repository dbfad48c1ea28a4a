package dev.tlstunnel.config;

import java.util.List;
import java.util.Objects;

/**
 * One proxy of a client ({@code [[proxies]]}): the server publishes {@code publishAddr:publishPort}
 * and the client forwards each connection to {@code localAddr:localPort}. A private proxy ({@code
 * visibility = "private"}) has no publish address: only visitors reach it. Validated: made only by
 * {@link #builder(String)} or {@link ConfigLoader}; a client configuration validates its proxies
 * again, naming each by its index ({@code proxies[2].publish_port}).
 */
public final class ProxyConfig {
  /** Default publish address: every IPv4 address of the server. */
  public static final String DEFAULT_PUBLISH_ADDR = "0.0.0.0";

  /** Default local service address: loopback. */
  public static final String DEFAULT_LOCAL_ADDR = "127.0.0.1";

  private final String name;
  private final String publishAddr;
  private final int publishPort;
  private final String localAddr;
  private final int localPort;
  private final ProxyType proxyType;
  private final BindRetryPolicy bindRetry;
  private final PrivateProxyConfig privateAccess;
  private final ProxyFeatures features;

  ProxyConfig(
      String name,
      String publishAddr,
      int publishPort,
      String localAddr,
      int localPort,
      ProxyType proxyType,
      BindRetryPolicy bindRetry,
      PrivateProxyConfig privateAccess) {
    this(
        name,
        publishAddr,
        publishPort,
        localAddr,
        localPort,
        proxyType,
        bindRetry,
        privateAccess,
        null);
  }

  ProxyConfig(
      String name,
      String publishAddr,
      int publishPort,
      String localAddr,
      int localPort,
      ProxyType proxyType,
      BindRetryPolicy bindRetry,
      PrivateProxyConfig privateAccess,
      ProxyFeatures features) {
    this.name = name;
    this.publishAddr = publishAddr;
    this.publishPort = publishPort;
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.proxyType = proxyType;
    this.bindRetry = bindRetry;
    this.privateAccess = privateAccess;
    this.features = features == null ? ProxyFeatures.NONE : features;
  }

  /** A builder for the proxy named {@code name}, with the documented defaults. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding this proxy, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.publishAddr = publishAddr;
    b.publishPort = publishPort;
    b.localAddr = localAddr;
    b.localPort = localPort;
    b.proxyType = proxyType;
    b.bindRetry = bindRetry;
    b.privateAccess = privateAccess;
    b.features = features;
    return b;
  }

  /** The proxy's name, unique on the server ({@code name}). */
  public String name() {
    return name;
  }

  /** The address the server publishes it on ({@code publish_addr}). */
  public String publishAddr() {
    return publishAddr;
  }

  /** The port the server publishes it on ({@code publish_port}; 0 lets the server pick). */
  public int publishPort() {
    return publishPort;
  }

  /** The local service's address ({@code local_addr}). */
  public String localAddr() {
    return localAddr;
  }

  /** The local service's port ({@code local_port}). */
  public int localPort() {
    return localPort;
  }

  /** How connections are treated ({@code proxy_type}). */
  public ProxyType proxyType() {
    return proxyType;
  }

  /** The bind retry policy this proxy asks the server for, or null for the server's own. */
  public BindRetryPolicy bindRetry() {
    return bindRetry;
  }

  /** Who may visit the proxy when it is private, or null for a public proxy. */
  public PrivateProxyConfig privateAccess() {
    return privateAccess;
  }

  /** Whether the proxy is private: no public listener, visitors only. */
  public boolean isPrivate() {
    return privateAccess != null;
  }

  /** The check of the local service ({@code health_check}), or null for none. */
  public HealthCheck healthCheck() {
    return features.healthCheck();
  }

  /** The load-balancing group it joins ({@code group}, ...), or null for none. */
  public LoadBalancing loadBalancing() {
    return features.loadBalancing();
  }

  /** The PROXY protocol header written to the local service ({@code proxy_protocol}), or null. */
  public ProxyProtocolVersion proxyProtocol() {
    return features.proxyProtocol();
  }

  /** Health check, group and PROXY protocol, together. */
  ProxyFeatures features() {
    return features;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyConfig p
        && publishPort == p.publishPort
        && localPort == p.localPort
        && Objects.equals(name, p.name)
        && Objects.equals(publishAddr, p.publishAddr)
        && Objects.equals(localAddr, p.localAddr)
        && proxyType == p.proxyType
        && Objects.equals(bindRetry, p.bindRetry)
        && Objects.equals(privateAccess, p.privateAccess)
        && Objects.equals(features, p.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        name,
        publishAddr,
        publishPort,
        localAddr,
        localPort,
        proxyType,
        bindRetry,
        privateAccess,
        features);
  }

  @Override
  public String toString() {
    return "ProxyConfig[name="
        + name
        + ", publish="
        + (isPrivate() ? privateAccess : Addresses.hostPort(publishAddr, publishPort))
        + ", local="
        + Addresses.hostPort(localAddr, localPort)
        + ", proxyType="
        + proxyType
        + ", bindRetry="
        + bindRetry
        + features.describe()
        + "]";
  }

  /** Builds a validated {@link ProxyConfig}. */
  public static final class Builder {
    private final String name;
    private String publishAddr;
    private int publishPort;
    private String localAddr = DEFAULT_LOCAL_ADDR;
    private int localPort;
    private ProxyType proxyType = ProxyType.TCP;
    private BindRetryPolicy bindRetry;
    private PrivateProxyConfig privateAccess;
    private ProxyFeatures features = ProxyFeatures.NONE;

    private Builder(String name) {
      this.name = name;
    }

    /** Where the server publishes it ({@code publish_addr}, {@code publish_port}). */
    public Builder publish(String addr, int port) {
      this.publishAddr = addr;
      this.publishPort = port;
      return this;
    }

    /** The port the server publishes it on, on every address ({@code publish_port}). */
    public Builder publishPort(int port) {
      this.publishPort = port;
      return this;
    }

    /** The local service ({@code local_addr}, {@code local_port}). */
    public Builder local(String addr, int port) {
      this.localAddr = addr;
      this.localPort = port;
      return this;
    }

    /** The local service's port, on loopback ({@code local_port}). */
    public Builder localPort(int port) {
      this.localPort = port;
      return this;
    }

    public Builder proxyType(ProxyType type) {
      this.proxyType = type;
      return this;
    }

    /** The retry policy to ask the server for ({@code bind_retry}); null for the server's. */
    public Builder bindRetry(BindRetryPolicy policy) {
      this.bindRetry = policy;
      return this;
    }

    /** Checks the local service ({@code health_check}); null for no check. */
    public Builder healthCheck(HealthCheck check) {
      this.features = features.withHealthCheck(check);
      return this;
    }

    /** Joins a load-balancing group ({@code group}, {@code group_key}, ...); null for none. */
    public Builder loadBalancing(LoadBalancing membership) {
      this.features = features.withLoadBalancing(membership);
      return this;
    }

    /** Writes a PROXY protocol header to the local service ({@code proxy_protocol}); or null. */
    public Builder proxyProtocol(ProxyProtocolVersion version) {
      this.features = features.withProxyProtocol(version);
      return this;
    }

    /**
     * Makes the proxy private ({@code visibility = "private"}): no public port; only {@code
     * allowedVisitors} (client ids, or {@code "*"} for all) that prove {@code secret} reach it. A
     * private proxy takes no publish address, port or bind retry.
     */
    public Builder privateAccess(List<String> allowedVisitors, String secret) {
      this.privateAccess = new PrivateProxyConfig(allowedVisitors, secret);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every problem, each naming its key ({@code
     *     proxies['web'].publish_port: ...})
     */
    public ProxyConfig build() throws ConfigException {
      return ConfigValidator.validate(unchecked());
    }

    /** Builds without validation: for a client configuration, which validates its proxies. */
    ProxyConfig unchecked() {
      return new ProxyConfig(
          name,
          publishAddr,
          publishPort,
          localAddr,
          localPort,
          proxyType,
          bindRetry,
          privateAccess,
          features);
    }
  }
}
