package dev.tlstunnel.forward;

import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.egress.Addresses;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.egress.TargetResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code tls-tunnel route test} prints for one forwarder and target: the route, the rule that
 * chose it, the addresses the name has here (with countries when a GeoIP database is set), and for
 * the direct route what the direct policy says. Resolves names on this host.
 */
public final class RouteTest {
  private RouteTest() {}

  /**
   * The lines for {@code host:port} through {@code forwarder}.
   *
   * @throws IOException when the forwarder's GeoIP database cannot be opened
   */
  public static List<String> describe(ForwarderConfig forwarder, String host, int port)
      throws IOException {
    List<GeoIp> databases = new ArrayList<>();
    try {
      Router router = Forwarders.router(forwarder.routing(), databases);
      Router.Decision d = router.route(host, port);
      List<String> lines = new ArrayList<>();
      lines.add(
          "forwarder '"
              + forwarder.name()
              + "' ("
              + forwarder.type().configName()
              + " on "
              + dev.tlstunnel.config.Addresses.hostPort(forwarder.bindAddr(), forwarder.bindPort())
              + "): "
              + new Target(host, port)
              + " -> "
              + d.via().configName()
              + " by "
              + d.ruleText());
      List<InetAddress> addresses = d.addresses();
      if (addresses.isEmpty()) {
        Optional<InetAddress> literal = Addresses.literal(host);
        addresses =
            literal.isPresent()
                ? List.of(Addresses.canonical(literal.get()))
                : List.of(Forwarders.lookup(host));
      }
      lines.add("  addresses: " + addresses(router, addresses));
      lines.add("  " + verdict(forwarder, d.via(), host, port, addresses));
      return lines;
    } finally {
      databases.forEach(GeoIp::close);
    }
  }

  private static String addresses(Router router, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return "(the name does not resolve here)";
    }
    List<String> parts = new ArrayList<>();
    for (InetAddress a : addresses) {
      String country = router.country(a);
      parts.add(Addresses.text(a) + (country == null ? "" : " (" + country + ")"));
    }
    return String.join(", ", parts);
  }

  private static String verdict(
      ForwarderConfig forwarder, RouteVia via, String host, int port, List<InetAddress> found) {
    return switch (via) {
      case BLOCK -> "blocked: applications get 403 (HTTP) or reply 2 (SOCKS5)";
      case TUNNEL -> "the server resolves the name itself and checks it against its egress policy";
      case DIRECT -> {
        EgressRules r = forwarder.direct();
        EgressPolicy policy =
            EgressPolicy.parse(r.allowCidrs(), r.denyCidrs(), r.allowPorts(), r.denyPorts());
        TargetResolver.Result result =
            TargetResolver.check(host, found.toArray(new InetAddress[0]), port, policy);
        yield result.ok()
            ? "direct policy: allowed"
            : "direct policy: refused: " + result.failure().getMessage();
      }
    };
  }
}
