package dev.tlstunnel.server;

import dev.tlstunnel.config.EdgeConfig;
import dev.tlstunnel.egress.PortRange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

/**
 * The server's published ports: which ports clients may publish ({@code allow_ports}), how many one
 * client may hold ({@code max_ports}), and which port a proxy with {@code publish_port = 0} gets:
 * the one it leased before (same client id and proxy name), else the first free port of {@code
 * allow_ports}, else (without {@code allow_ports}) one the system picks, leased once bound.
 * Sessions register on their own event loops, so every method is synchronized.
 */
final class PortAllocator {
  /** A port for a proxy, or why it gets none. */
  record Assigned(int port, String refusal) {}

  private final List<PortRange> ranges;
  private final int maxPorts;
  private final PortLeases leases;

  PortAllocator(EdgeConfig edge, Clock clock) {
    this.ranges = edge.allowPorts().stream().map(PortRange::parse).toList();
    this.maxPorts = edge.maxPorts();
    this.leases = new PortLeases(edge.stateDir(), edge.portLeaseTtl(), clock);
  }

  /**
   * Why a client holding {@code held} ports may not publish {@code port} (0: any), if it may not.
   */
  synchronized Optional<String> check(int port, int held) {
    if (maxPorts > 0 && held >= maxPorts) {
      return Optional.of("limit server.max_ports=" + maxPorts + " reached for this client");
    }
    if (port != 0 && !ranges.isEmpty() && ranges.stream().noneMatch(r -> r.contains(port))) {
      return Optional.of(
          "publish port " + port + " is not in server.allow_ports (" + describe() + ")");
    }
    return Optional.empty();
  }

  /**
   * The port for {@code clientId}'s proxy {@code proxy}, asked with {@code publish_port = 0} on
   * {@code addr}; {@code taken} says which ports other proxies hold. Port 0 means the system picks.
   */
  synchronized Assigned assign(String clientId, String proxy, String addr, IntPredicate taken) {
    String key = PortLeases.key(clientId, proxy);
    PortLeases.Lease lease = clientId == null ? null : leases.get(key);
    if (lease != null && allowed(lease.port()) && !taken.test(lease.port())) {
      leases.hold(key, lease.port());
      return new Assigned(lease.port(), null);
    }
    if (ranges.isEmpty()) {
      return new Assigned(0, null);
    }
    for (PortRange r : ranges) {
      for (int port = r.first(); port <= r.last(); port++) {
        if (!taken.test(port) && !leases.leasedToOther(port, key) && bindable(addr, port)) {
          if (clientId != null) {
            leases.hold(key, port);
          }
          return new Assigned(port, null);
        }
      }
    }
    return new Assigned(
        -1,
        "no free port left in server.allow_ports ("
            + describe()
            + "): every one is published, leased to another proxy or in use");
  }

  /** The system picked {@code port} for a proxy that asked for 0: it is leased from now on. */
  synchronized void bound(String clientId, String proxy, int port) {
    if (clientId != null) {
      leases.hold(PortLeases.key(clientId, proxy), port);
    }
  }

  /** {@code clientId}'s proxy went away: its lease, if any, starts running out. */
  synchronized void released(String clientId, String proxy) {
    if (clientId != null) {
      leases.release(PortLeases.key(clientId, proxy));
    }
  }

  private boolean allowed(int port) {
    return ranges.isEmpty() || ranges.stream().anyMatch(r -> r.contains(port));
  }

  private String describe() {
    return ranges.stream().map(PortRange::toString).collect(Collectors.joining(", "));
  }

  /** Whether no other process listens on {@code addr:port} right now. */
  private static boolean bindable(String addr, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(addr), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
