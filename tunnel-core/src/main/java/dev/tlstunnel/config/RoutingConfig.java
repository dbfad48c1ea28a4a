package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A forwarder's routing ({@code [forwarders.routing]}): ordered rules, first match wins.
 *
 * @param rules the rules in order
 * @param defaultVia where connections go that no rule matches ({@code default})
 * @param domainStrategy whether names are resolved for address rules
 * @param geoipDb a MaxMind-format country database ({@code .mmdb}), needed by {@code country}
 *     rules; null when none
 */
public record RoutingConfig(
    List<RouteRule> rules, RouteVia defaultVia, DomainStrategy domainStrategy, Path geoipDb) {
  /** Everything through the tunnel. */
  public static final RoutingConfig DEFAULT =
      new RoutingConfig(List.of(), RouteVia.TUNNEL, DomainStrategy.AS_IS, null);

  public RoutingConfig {
    rules = rules == null ? List.of() : List.copyOf(rules);
    defaultVia = defaultVia == null ? RouteVia.TUNNEL : defaultVia;
    domainStrategy = domainStrategy == null ? DomainStrategy.AS_IS : domainStrategy;
  }
}
