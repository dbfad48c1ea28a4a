package dev.tlstunnel.config;

import dev.tlstunnel.egress.Cidr;
import dev.tlstunnel.egress.PortRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Value rules of forwarders and of the server's egress, called from {@link ConfigValidator}. */
final class ForwardingCheck {
  /** The longest user name and password (RFC 1929 carries each in at most 255 bytes). */
  static final int MAX_CREDENTIAL = 255;

  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");

  private ForwardingCheck() {}

  /** Checks every forwarder; names must differ from each other and from the proxies' names. */
  static List<ForwarderConfig> forwarders(ClientConfig c, Problems p) {
    List<ForwarderConfig> checked = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < c.proxies().size(); i++) {
      names.putIfAbsent(c.proxies().get(i).name(), "proxies[" + i + "].name");
    }
    for (int i = 0; i < c.forwarders().size(); i++) {
      String key = "forwarders[" + i + "]";
      ForwarderConfig f = c.forwarders().get(i);
      String first = f.name() == null ? null : names.putIfAbsent(f.name(), key + ".name");
      if (first != null && !p.hasError(key + ".name")) {
        p.error(key + ".name", "duplicate name '" + f.name() + "' (also " + first + ")");
      }
      checked.add(forwarder(f, key, p));
    }
    return checked;
  }

  private static ForwarderConfig forwarder(ForwarderConfig f, String key, Problems p) {
    if (f.name() == null) {
      p.error(key + ".name", "missing required key");
    }
    Checks.name(f.name(), key + ".name", p);
    if (f.type() == null) {
      p.error(key + ".type", "missing required key");
    }
    String bindAddr = f.bindAddr() == null ? ForwarderConfig.DEFAULT_BIND_ADDR : f.bindAddr();
    if (bindAddr.isBlank()) {
      p.error(key + ".bind_addr", "must not be empty");
    }
    Checks.port(f.bindPort(), 0, key + ".bind_port", p);
    credentials(f, key, p);
    range(f.maxConnections(), 1, 1 << 16, key + ".max_connections", p);
    range(f.maxRequestHead(), 1024, 1 << 20, key + ".max_request_head", p);
    positive(f.handshakeTimeout(), key + ".handshake_timeout", p);
    positive(f.idleTimeout(), key + ".idle_timeout", p);
    positive(f.connectTimeout(), key + ".connect_timeout", p);
    BindRetryPolicy retry = f.bindRetry();
    if (retry != null) {
      retry = Checks.retry(retry, ProxyCheck.MIN_PROXY_RETRY_DELAY, key + ".bind_retry", p);
    }
    RoutingConfig routing = f.routing() == null ? RoutingConfig.DEFAULT : f.routing();
    routing(routing, key + ".routing", p);
    EgressRules direct = f.direct() == null ? EgressRules.DEFAULT : f.direct();
    rules(direct, key + ".direct", p);
    return new ForwarderConfig(
        f.name(),
        f.type(),
        bindAddr,
        f.bindPort(),
        f.username(),
        f.password(),
        f.maxConnections(),
        f.maxRequestHead(),
        f.handshakeTimeout(),
        f.idleTimeout(),
        f.connectTimeout(),
        retry,
        routing,
        direct);
  }

  private static void credentials(ForwarderConfig f, String key, Problems p) {
    if ((f.username() == null) != (f.password() == null)) {
      String missing = f.username() == null ? "username" : "password";
      p.error(key + "." + missing, "missing: username and password go together");
      return;
    }
    for (String[] c : new String[][] {{"username", f.username()}, {"password", f.password()}}) {
      if (c[1] != null
          && (c[1].isEmpty()
              || c[1].getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CREDENTIAL)) {
        p.error(key + "." + c[0], "must be 1 to " + MAX_CREDENTIAL + " bytes long");
      }
    }
  }

  private static void routing(RoutingConfig r, String key, Problems p) {
    boolean countries = false;
    for (int i = 0; i < r.rules().size(); i++) {
      RouteRule rule = r.rules().get(i);
      String at = key + ".rules[" + i + "]";
      if (rule.via() == null) {
        p.error(at + ".via", "missing required key");
      }
      if (rule.empty()) {
        p.error(
            at,
            "sets no matcher (domain, domain_suffix, domain_keyword, domain_regex, cidr, port or country)");
      }
      each(rule.domainRegex(), at + ".domain_regex", p, Pattern::compile);
      each(rule.cidr(), at + ".cidr", p, Cidr::parse);
      each(rule.port(), at + ".port", p, PortRange::parse);
      for (int j = 0; j < rule.country().size(); j++) {
        if (!COUNTRY.matcher(rule.country().get(j)).matches()) {
          p.error(
              at + ".country[" + j + "]",
              "must be an ISO 3166 code of two capital letters such as \"DE\", got '"
                  + rule.country().get(j)
                  + "'");
        }
      }
      countries |= !rule.country().isEmpty();
    }
    if (r.geoipDb() != null) {
      Checks.readableFile(r.geoipDb(), true, key + ".geoip_db", p);
    } else if (countries) {
      p.error(key + ".geoip_db", "missing: country rules need a GeoIP database (.mmdb)");
    }
  }

  /** Checks the server's egress settings. */
  static EgressConfig egress(EgressConfig e, Problems p) {
    EgressConfig config = e == null ? EgressConfig.OFF : e;
    rules(config.rules(), "server.egress", p);
    Map<String, EgressRules> clients = null;
    if (config.clients() != null) {
      clients = new LinkedHashMap<>();
      for (Map.Entry<String, EgressRules> c :
          new java.util.TreeMap<>(config.clients()).entrySet()) {
        String at = "server.egress.clients." + c.getKey();
        Checks.name(c.getKey(), at, p);
        rules(c.getValue(), at, p);
        clients.put(c.getKey(), c.getValue());
      }
    }
    positive(config.connectTimeout(), "server.egress.connect_timeout", p);
    return new EgressConfig(
        config.allowForward(), config.rules(), clients, config.connectTimeout());
  }

  private static void rules(EgressRules r, String key, Problems p) {
    each(r.allowCidrs(), key + ".allow_cidrs", p, Cidr::parse);
    each(r.denyCidrs(), key + ".deny_cidrs", p, Cidr::parse);
    each(r.allowPorts(), key + ".allow_ports", p, PortRange::parse);
    each(r.denyPorts(), key + ".deny_ports", p, PortRange::parse);
  }

  private static void each(List<String> values, String key, Problems p, Function<String, ?> parse) {
    for (int i = 0; i < values.size(); i++) {
      try {
        parse.apply(values.get(i));
      } catch (PatternSyntaxException e) {
        p.error(key + "[" + i + "]", "not a valid regular expression: " + e.getDescription());
      } catch (IllegalArgumentException e) {
        p.error(key + "[" + i + "]", e.getMessage());
      }
    }
  }

  private static void range(int value, int min, int max, String key, Problems p) {
    if (value < min || value > max) {
      p.error(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static void positive(Duration d, String key, Problems p) {
    if (d == null || d.isNegative() || d.isZero()) {
      p.error(key, "must be positive, got " + (d == null ? null : Durations.format(d)));
    }
  }
}
