package dev.tlstunnel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The server's public edge: which ports clients may publish ({@code allow_ports}, {@code
 * max_ports}), where ports the server picks for {@code publish_port = 0} are remembered ({@code
 * state_dir}, {@code port_lease_ttl}), and whether a load balancer in front sends the PROXY
 * protocol on the tunnel port and the published ports ({@code proxy_protocol}, {@code
 * proxy_protocol_trusted}). All keys of {@code [server]}.
 *
 * @param allowPorts ports or ranges ({@code "20000-20100"}, {@code "30001"}) clients may publish,
 *     and from which the server picks for {@code publish_port = 0}; empty allows every port and
 *     lets the system pick
 * @param maxPorts how many ports one client may publish at once; 0 for no limit
 * @param stateDir where the port leases are kept ({@code port-leases.json}); null keeps them in
 *     memory only, so that they do not outlive the server
 * @param portLeaseTtl how long a picked port stays reserved for its client id and proxy name once
 *     the proxy is gone
 * @param proxyProtocol what the server does with PROXY protocol headers on incoming connections
 * @param proxyProtocolTrusted addresses or CIDR blocks of the load balancers whose headers count
 */
public record EdgeConfig(
    List<String> allowPorts,
    int maxPorts,
    Path stateDir,
    Duration portLeaseTtl,
    ProxyProtocolMode proxyProtocol,
    List<String> proxyProtocolTrusted) {

  /** Default lease time of a picked port: 7 days. */
  public static final Duration DEFAULT_PORT_LEASE_TTL = Duration.ofDays(7);

  /** Every port allowed, no per-client limit, leases in memory, no PROXY protocol. */
  public static final EdgeConfig DEFAULT =
      new EdgeConfig(
          List.of(), 0, null, DEFAULT_PORT_LEASE_TTL, ProxyProtocolMode.IGNORE, List.of());

  /**
   * What the server does with a PROXY protocol header (HAProxy v1 or v2) at a connection's start.
   */
  public enum ProxyProtocolMode {
    /** Reads none: the socket's peer is the client, every byte is passed on. */
    IGNORE,
    /**
     * From a trusted source, reads a header if the connection starts with one and takes the client
     * from it; other connections are taken as they are.
     */
    USE,
    /**
     * Every connection must come from a trusted source and start with a valid header; others are
     * closed.
     */
    REQUIRE,
    /** Closes every connection that starts with a header. */
    REJECT;

    /** The name in config files: {@code ignore}, {@code use}, {@code require}, {@code reject}. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The mode with this config name (any case), or null. */
    public static ProxyProtocolMode fromConfigName(String name) {
      for (ProxyProtocolMode m : values()) {
        if (m.configName().equals(name.toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      return null;
    }
  }

  public EdgeConfig {
    allowPorts = allowPorts == null ? List.of() : List.copyOf(allowPorts);
    portLeaseTtl = portLeaseTtl == null ? DEFAULT_PORT_LEASE_TTL : portLeaseTtl;
    proxyProtocol = proxyProtocol == null ? ProxyProtocolMode.IGNORE : proxyProtocol;
    proxyProtocolTrusted =
        proxyProtocolTrusted == null ? List.of() : List.copyOf(proxyProtocolTrusted);
  }

  /** This edge with other allowed ports and per-client limit. */
  public EdgeConfig withPorts(List<String> ports, int perClient) {
    return new EdgeConfig(
        ports, perClient, stateDir, portLeaseTtl, proxyProtocol, proxyProtocolTrusted);
  }

  /** This edge keeping its port leases in {@code dir} for {@code ttl}. */
  public EdgeConfig withLeases(Path dir, Duration ttl) {
    return new EdgeConfig(allowPorts, maxPorts, dir, ttl, proxyProtocol, proxyProtocolTrusted);
  }

  /** This edge reading PROXY protocol headers as {@code mode} says, from {@code trusted}. */
  public EdgeConfig withProxyProtocol(ProxyProtocolMode mode, List<String> trusted) {
    return new EdgeConfig(allowPorts, maxPorts, stateDir, portLeaseTtl, mode, trusted);
  }
}
