package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the forwarding keys of a TOML tree: a client's {@code [[forwarders]]} and a server's {@code
 * allow_forward} and {@code [server.egress]}. Like {@link TomlMapping}, it reports unknown keys and
 * wrong types and leaves value rules to {@link ForwardingCheck}.
 */
final class ForwardingMapping {
  static final List<String> FORWARDER_KEYS =
      List.of(
          "name",
          "type",
          "bind_addr",
          "bind_port",
          "username",
          "password",
          "max_connections",
          "max_request_head",
          "handshake_timeout",
          "idle_timeout",
          "connect_timeout",
          "bind_retry",
          "routing",
          "direct");
  static final List<String> ROUTING_KEYS =
      List.of("default", "domain_strategy", "geoip_db", "rules");
  static final List<String> RULE_KEYS =
      List.of(
          "domain",
          "domain_suffix",
          "domain_keyword",
          "domain_regex",
          "cidr",
          "port",
          "country",
          "via");
  static final List<String> RULES_KEYS =
      List.of("allow_cidrs", "deny_cidrs", "allow_ports", "deny_ports");
  static final List<String> EGRESS_KEYS =
      List.of(
          "allow_cidrs", "deny_cidrs", "allow_ports", "deny_ports", "connect_timeout", "clients");

  private ForwardingMapping() {}

  /** Every {@code [[forwarders]]} table of the file. */
  static List<ForwarderConfig> forwarders(TomlTable top, Path baseDir) {
    List<ForwarderConfig> out = new ArrayList<>();
    for (TomlTable t : top.tableArray("forwarders", FORWARDER_KEYS)) {
      out.add(forwarder(t, baseDir));
    }
    return out;
  }

  private static ForwarderConfig forwarder(TomlTable t, Path baseDir) {
    t.require("name", "type", "bind_port");
    ForwarderType type = null;
    String typeName = t.string("type");
    if (typeName != null) {
      type = enumValue(ForwarderType.class, typeName);
      if (type == null) {
        t.error("type", "must be http or socks5, got '" + typeName + "'");
      }
    }
    String addr = t.string("bind_addr");
    TomlTable retry = t.table("bind_retry", TomlMapping.RETRY_KEYS);
    TomlTable routing = t.table("routing", ROUTING_KEYS);
    TomlTable direct = t.table("direct", RULES_KEYS);
    return new ForwarderConfig(
        t.string("name"),
        type,
        addr == null ? ForwarderConfig.DEFAULT_BIND_ADDR : addr,
        orDefault(t.integer("bind_port"), 0),
        t.string("username"),
        t.string("password"),
        orDefault(t.integer("max_connections"), ForwarderConfig.DEFAULT_MAX_CONNECTIONS),
        orDefault(t.integer("max_request_head"), ForwarderConfig.DEFAULT_MAX_REQUEST_HEAD),
        orDefault(t.duration("handshake_timeout"), ForwarderConfig.DEFAULT_HANDSHAKE_TIMEOUT),
        orDefault(t.duration("idle_timeout"), ForwarderConfig.DEFAULT_IDLE_TIMEOUT),
        orDefault(t.duration("connect_timeout"), ForwarderConfig.DEFAULT_CONNECT_TIMEOUT),
        retry == null ? null : TomlMapping.retry(retry, BindRetryPolicy.DEFAULT),
        routing == null ? RoutingConfig.DEFAULT : routing(routing, baseDir),
        direct == null ? EgressRules.DEFAULT : rules(direct));
  }

  private static RoutingConfig routing(TomlTable t, Path baseDir) {
    List<RouteRule> rules = new ArrayList<>();
    for (TomlTable r : t.tableArray("rules", RULE_KEYS)) {
      rules.add(rule(r));
    }
    return new RoutingConfig(rules, via(t, "default"), strategy(t), t.path("geoip_db", baseDir));
  }

  private static RouteRule rule(TomlTable t) {
    t.require("via");
    return new RouteRule(
        t.stringsOrNumbers("domain"),
        t.stringsOrNumbers("domain_suffix"),
        t.stringsOrNumbers("domain_keyword"),
        t.stringsOrNumbers("domain_regex"),
        t.stringsOrNumbers("cidr"),
        t.stringsOrNumbers("port"),
        t.stringsOrNumbers("country"),
        via(t, "via"));
  }

  private static RouteVia via(TomlTable t, String key) {
    String name = t.string(key);
    if (name == null) {
      return null;
    }
    RouteVia via = enumValue(RouteVia.class, name);
    if (via == null) {
      t.error(key, "must be direct, tunnel or block, got '" + name + "'");
    }
    return via;
  }

  private static DomainStrategy strategy(TomlTable t) {
    String name = t.string("domain_strategy");
    if (name == null) {
      return null;
    }
    DomainStrategy s = enumValue(DomainStrategy.class, name);
    if (s == null) {
      t.error(
          "domain_strategy", "must be as_is, ip_if_non_match or ip_on_demand, got '" + name + "'");
    }
    return s;
  }

  /** {@code allow_forward} of {@code [server]} and its {@code [server.egress]} table. */
  static EgressConfig egress(TomlTable server) {
    Boolean allow = server.bool("allow_forward");
    TomlTable e = server.table("egress", EGRESS_KEYS);
    if (e == null) {
      return new EgressConfig(Boolean.TRUE.equals(allow), EgressRules.DEFAULT, null, null);
    }
    Map<String, EgressRules> clients = null;
    TomlTable c = e.table("clients", null);
    if (c != null) {
      clients = new LinkedHashMap<>();
      for (String id : c.keys()) {
        TomlTable one = c.table(id, RULES_KEYS);
        clients.put(id, one == null ? EgressRules.DEFAULT : rules(one));
      }
    }
    return new EgressConfig(
        Boolean.TRUE.equals(allow), rules(e), clients, e.duration("connect_timeout"));
  }

  private static EgressRules rules(TomlTable t) {
    return new EgressRules(
        t.stringsOrNumbers("allow_cidrs"),
        t.stringsOrNumbers("deny_cidrs"),
        t.stringsOrNumbers("allow_ports"),
        t.stringsOrNumbers("deny_ports"));
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String name) {
    try {
      return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static <T> T orDefault(T value, T dflt) {
    return value == null ? dflt : value;
  }
}
