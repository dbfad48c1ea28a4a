package dev.tlstunnel.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value rules of visitors and private proxies, for {@link ConfigValidator}: names and targets,
 * secrets (as long as an auth key), who may visit, and local listeners that would collide.
 */
final class VisitorConfigCheck {
  private VisitorConfigCheck() {}

  /** Checks the private part of the proxy at {@code key} ({@code proxies[2]}). */
  static void privateProxy(ProxyConfig proxy, String key, Problems p) {
    PrivateProxyConfig access = proxy.privateAccess();
    notUsed(proxy.publishAddr() != null, key + ".publish_addr", p);
    notUsed(proxy.publishPort() != 0, key + ".publish_port", p);
    notUsed(proxy.bindRetry() != null, key + ".bind_retry", p);
    List<String> allowed = access.allowedVisitors();
    String allowedKey = key + ".allowed_visitors";
    if (allowed == null) {
      if (!p.hasErrorWithin(allowedKey)) {
        p.error(allowedKey, "missing required key (client ids that may visit, or [\"*\"] for all)");
      }
    } else if (allowed.isEmpty()) {
      p.error(allowedKey, "must not be empty (client ids that may visit, or [\"*\"] for all)");
    } else {
      for (int i = 0; i < allowed.size(); i++) {
        String id = allowed.get(i);
        if (!PrivateProxyConfig.ANY_VISITOR.equals(id)) {
          Checks.name(id, allowedKey + "[" + i + "]", p);
        }
      }
    }
    ConfigValidator.authKey(access.secret(), key + ".secret", p);
  }

  private static void notUsed(boolean set, String key, Problems p) {
    if (set) {
      p.error(key, "not used by a private proxy (visibility = \"private\" opens no public port)");
    }
  }

  /** Checks and completes the visitors of {@code c}. */
  static List<VisitorConfig> visitors(ClientConfig c, String adminAddr, Problems p) {
    List<VisitorConfig> checked = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < c.visitors().size(); i++) {
      String key = "visitors[" + i + "]";
      VisitorConfig v = visitor(c.visitors().get(i), key, p);
      Integer first = v.name() == null ? null : names.putIfAbsent(v.name(), i);
      if (first != null && !p.hasError(key + ".name")) {
        p.error(
            key + ".name", "duplicate name '" + v.name() + "' (also visitors[" + first + "].name)");
      }
      crossCheck(c, adminAddr, checked, v, key, p);
      checked.add(v);
    }
    return checked;
  }

  private static VisitorConfig visitor(VisitorConfig v, String key, Problems p) {
    if (v.name() == null) {
      p.error(key + ".name", "missing required key");
    }
    Checks.name(v.name(), key + ".name", p);
    target(v.target(), key + ".target", p);
    String bindAddr =
        Checks.address(v.bindAddr(), VisitorConfig.DEFAULT_BIND_ADDR, key + ".bind_addr", p);
    Checks.port(v.bindPort(), 0, key + ".bind_port", p);
    ConfigValidator.authKey(v.secret(), key + ".secret", p);
    BindRetryPolicy retry = v.bindRetry() == null ? BindRetryPolicy.DEFAULT : v.bindRetry();
    retry = Checks.retry(retry, ProxyCheck.MIN_PROXY_RETRY_DELAY, key + ".bind_retry", p);
    return new VisitorConfig(v.name(), v.target(), bindAddr, v.bindPort(), v.secret(), retry);
  }

  private static void target(String target, String key, Problems p) {
    if (target == null) {
      p.error(key, "missing required key (CLIENT_ID/PROXY)");
      return;
    }
    int slash = target.indexOf('/');
    if (slash < 0
        || !Checks.NAME_PATTERN.matcher(target.substring(0, slash)).matches()
        || !Checks.NAME_PATTERN.matcher(target.substring(slash + 1)).matches()) {
      p.error(
          key,
          "must be CLIENT_ID/PROXY, the publisher's client_id and the proxy's name (each "
              + Checks.NAME_PATTERN.pattern()
              + "), got '"
              + target
              + "'");
    }
  }

  /** Rejects a local listener that collides with an earlier visitor's or the admin API's. */
  private static void crossCheck(
      ClientConfig c,
      String adminAddr,
      List<VisitorConfig> earlier,
      VisitorConfig v,
      String key,
      Problems p) {
    if (v.bindPort() == 0 || p.hasError(key + ".bind_port") || p.hasError(key + ".bind_addr")) {
      return;
    }
    if (c.adminPort() != null
        && c.adminPort() == v.bindPort()
        && Addresses.overlap(adminAddr, v.bindAddr())) {
      p.error(key + ".bind_port", v.bindPort() + " is also client.admin_port");
      return;
    }
    for (int j = 0; j < earlier.size(); j++) {
      VisitorConfig other = earlier.get(j);
      if (other.bindPort() == v.bindPort() && Addresses.overlap(other.bindAddr(), v.bindAddr())) {
        p.error(
            key + ".bind_port",
            "binding "
                + Addresses.hostPort(v.bindAddr(), v.bindPort())
                + " overlaps visitors["
                + j
                + "] '"
                + other.name()
                + "' ("
                + Addresses.hostPort(other.bindAddr(), other.bindPort())
                + ")");
        return;
      }
    }
  }
}
