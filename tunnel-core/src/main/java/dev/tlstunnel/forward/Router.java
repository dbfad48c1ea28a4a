package dev.tlstunnel.forward;

import dev.tlstunnel.config.DomainStrategy;
import dev.tlstunnel.config.RouteRule;
import dev.tlstunnel.config.RouteVia;
import dev.tlstunnel.config.RoutingConfig;
import dev.tlstunnel.egress.Addresses;
import dev.tlstunnel.egress.Cidr;
import dev.tlstunnel.egress.PortRange;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A forwarder's routing rules, compiled: ordered, first match wins, {@code default} when none does.
 * A rule matches when each matcher it sets matches. Address matchers ({@code cidr}, {@code
 * country}) see a target's address when it is given as one, and a name's addresses only when the
 * domain strategy resolves it. Immutable and thread-safe; {@link #route} may block on a look-up
 * when the strategy resolves names.
 */
final class Router {
  /** Where a target goes, and why. */
  record Decision(RouteVia via, int rule, String why, List<InetAddress> addresses) {
    /** {@code rule 2 (domain_suffix)} or {@code default}. */
    String ruleText() {
      return rule < 0 ? "default" : "rule " + (rule + 1) + " (" + why + ")";
    }
  }

  private record Compiled(
      List<String> domains,
      List<String> suffixes,
      List<String> keywords,
      List<Pattern> regexes,
      List<Cidr> cidrs,
      List<PortRange> ports,
      List<String> countries,
      RouteVia via,
      String text) {
    boolean usesAddress() {
      return !cidrs.isEmpty() || !countries.isEmpty();
    }
  }

  private final List<Compiled> rules;
  private final RouteVia defaultVia;
  private final DomainStrategy strategy;
  private final GeoIp geoIp;
  private final Function<String, InetAddress[]> lookup;

  /**
   * @param geoIp the country database, or null when no rule needs one
   */
  Router(RoutingConfig config, GeoIp geoIp, Function<String, InetAddress[]> lookup) {
    List<Compiled> compiled = new ArrayList<>();
    for (RouteRule r : config.rules()) {
      compiled.add(compile(r));
    }
    this.rules = List.copyOf(compiled);
    this.defaultVia = config.defaultVia();
    this.strategy = config.domainStrategy();
    this.geoIp = geoIp;
    this.lookup = lookup;
  }

  private static Compiled compile(RouteRule r) {
    List<String> parts = new ArrayList<>();
    for (String[] kind :
        new String[][] {
          {"domain", String.valueOf(r.domain().size())},
          {"domain_suffix", String.valueOf(r.domainSuffix().size())},
          {"domain_keyword", String.valueOf(r.domainKeyword().size())},
          {"domain_regex", String.valueOf(r.domainRegex().size())},
          {"cidr", String.valueOf(r.cidr().size())},
          {"port", String.valueOf(r.port().size())},
          {"country", String.valueOf(r.country().size())}
        }) {
      if (!kind[1].equals("0")) {
        parts.add(kind[0]);
      }
    }
    return new Compiled(
        lower(r.domain()),
        lower(r.domainSuffix()).stream().map(s -> s.startsWith(".") ? s.substring(1) : s).toList(),
        lower(r.domainKeyword()),
        r.domainRegex().stream().map(p -> Pattern.compile(p, Pattern.CASE_INSENSITIVE)).toList(),
        r.cidr().stream().map(Cidr::parse).toList(),
        r.port().stream().map(PortRange::parse).toList(),
        List.copyOf(r.country()),
        r.via(),
        String.join(" + ", parts));
  }

  private static List<String> lower(List<String> names) {
    return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }

  /** Whether routing {@code host} may resolve it (then call {@link #route} off the event loop). */
  boolean mayResolve(String host) {
    return strategy != DomainStrategy.AS_IS
        && Addresses.literal(host).isEmpty()
        && rules.stream().anyMatch(Compiled::usesAddress);
  }

  /** Where {@code host:port} goes. */
  Decision route(String host, int port) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    Optional<InetAddress> literal = Addresses.literal(host);
    List<InetAddress> addresses = literal.map(List::of).orElse(null);
    boolean isName = literal.isEmpty();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < rules.size(); i++) {
        Compiled rule = rules.get(i);
        if (rule.usesAddress() && addresses == null && resolveNow(pass)) {
          addresses = resolve(host);
        }
        if (matches(rule, isName ? name : null, port, addresses)) {
          return new Decision(
              rule.via(), i, rule.text(), addresses == null ? List.of() : addresses);
        }
      }
      if (strategy != DomainStrategy.IP_IF_NON_MATCH || !isName || addresses != null) {
        break;
      }
      addresses = resolve(host);
    }
    return new Decision(defaultVia, -1, "default", addresses == null ? List.of() : addresses);
  }

  private boolean resolveNow(int pass) {
    return strategy == DomainStrategy.IP_ON_DEMAND
        || (strategy == DomainStrategy.IP_IF_NON_MATCH && pass == 1);
  }

  private List<InetAddress> resolve(String host) {
    InetAddress[] found = lookup.apply(host);
    List<InetAddress> out = new ArrayList<>();
    for (InetAddress a : found) {
      out.add(Addresses.canonical(a));
    }
    return out;
  }

  private boolean matches(Compiled r, String name, int port, List<InetAddress> addresses) {
    if (!r.ports().isEmpty() && r.ports().stream().noneMatch(p -> p.contains(port))) {
      return false;
    }
    if (hasDomainMatcher(r) && (name == null || !domainMatches(r, name))) {
      return false;
    }
    if (!r.cidrs().isEmpty()
        && (addresses == null
            || addresses.stream()
                .noneMatch(a -> r.cidrs().stream().anyMatch(c -> c.contains(a))))) {
      return false;
    }
    if (!r.countries().isEmpty()
        && (addresses == null
            || geoIp == null
            || addresses.stream().noneMatch(a -> r.countries().contains(geoIp.country(a))))) {
      return false;
    }
    return true;
  }

  private static boolean hasDomainMatcher(Compiled r) {
    return !r.domains().isEmpty()
        || !r.suffixes().isEmpty()
        || !r.keywords().isEmpty()
        || !r.regexes().isEmpty();
  }

  private static boolean domainMatches(Compiled r, String name) {
    return r.domains().contains(name)
        || r.suffixes().stream().anyMatch(s -> name.equals(s) || name.endsWith("." + s))
        || r.keywords().stream().anyMatch(name::contains)
        || r.regexes().stream().anyMatch(p -> p.matcher(name).matches());
  }

  /** The country of {@code address}, or null (for {@code route test}). */
  String country(InetAddress address) {
    return geoIp == null ? null : geoIp.country(address);
  }
}
