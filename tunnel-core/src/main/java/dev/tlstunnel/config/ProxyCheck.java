package dev.tlstunnel.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks of a client's {@code [[proxies]]}: each entry, duplicate names, overlapping bindings. */
final class ProxyCheck {
  /** A proxy's bind retry delays below this are raised to it. */
  static final Duration MIN_PROXY_RETRY_DELAY = Duration.ofMillis(100);

  /** The most proxies one client may have (the protocol's bound). */
  static final int MAX_PROXIES = Limits.CEILING_PROXIES;

  private ProxyCheck() {}

  /**
   * Every proxy of {@code c}, checked and with defaults filled in.
   *
   * @param minPublishPort 1 in files, 0 in code (the server picks a free port)
   */
  static List<ProxyConfig> all(ClientConfig c, int minPublishPort, Problems p) {
    if (c.proxies().isEmpty() && c.forwarders().isEmpty() && c.visitors().isEmpty()) {
      p.warn("proxies", "no proxies configured; the client will connect but publish nothing");
    } else if (c.proxies().size() > MAX_PROXIES) {
      p.error("proxies", "at most " + MAX_PROXIES + " proxies allowed, got " + c.proxies().size());
    }
    List<ProxyConfig> checked = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < c.proxies().size(); i++) {
      String key = "proxies[" + i + "]";
      if (c.proxies().get(i) == null) {
        p.error(key, "must not be null");
        continue;
      }
      ProxyConfig proxy = one(c.proxies().get(i), key, minPublishPort, p);
      Integer first = proxy.name() == null ? null : names.putIfAbsent(proxy.name(), i);
      if (first != null && !p.hasError(key + ".name")) {
        p.error(
            key + ".name",
            "duplicate name '" + proxy.name() + "' (also proxies[" + first + "].name)");
      }
      crossCheckBinding(c, checked, proxy, i, p);
      checked.add(proxy);
    }
    return checked;
  }

  /** The key prefix of a proxy validated on its own: {@code proxies['web']}. */
  static String standaloneKey(ProxyConfig proxy) {
    return proxy.name() == null ? "proxies[?]" : "proxies['" + proxy.name() + "']";
  }

  static ProxyConfig one(ProxyConfig proxy, String key, int minPublishPort, Problems p) {
    if (proxy.name() == null) {
      p.error(key + ".name", "missing required key");
    }
    Checks.name(proxy.name(), key + ".name", p);
    String publishAddr = proxy.publishAddr();
    if (proxy.isPrivate()) {
      VisitorConfigCheck.privateProxy(proxy, key, p);
    } else {
      publishAddr =
          Checks.address(
              proxy.publishAddr(), ProxyConfig.DEFAULT_PUBLISH_ADDR, key + ".publish_addr", p);
      Checks.port(proxy.publishPort(), minPublishPort, key + ".publish_port", p);
    }
    String localAddr =
        Checks.address(proxy.localAddr(), ProxyConfig.DEFAULT_LOCAL_ADDR, key + ".local_addr", p);
    Checks.port(proxy.localPort(), 1, key + ".local_port", p);
    ProxyType type = proxy.proxyType() == null ? ProxyType.TCP : proxy.proxyType();
    BindRetryPolicy retry = proxy.bindRetry();
    if (retry != null) {
      retry = Checks.retry(retry, MIN_PROXY_RETRY_DELAY, key + ".bind_retry", p);
    }
    return new ProxyConfig(
        proxy.name(),
        publishAddr,
        proxy.publishPort(),
        localAddr,
        proxy.localPort(),
        type,
        retry,
        proxy.privateAccess(),
        PublishingCheck.features(proxy, key, p));
  }

  /** Rejects a publish binding equal to the tunnel port or overlapping an earlier proxy's. */
  private static void crossCheckBinding(
      ClientConfig c, List<ProxyConfig> earlier, ProxyConfig proxy, int index, Problems p) {
    String key = "proxies[" + index + "].publish_port";
    if (p.hasError(key) || p.hasError("proxies[" + index + "].publish_addr")) {
      return;
    }
    if (proxy.publishPort() == 0) {
      return;
    }
    if (proxy.publishPort() == c.serverPort()) {
      p.error(key, proxy.publishPort() + " equals client.server_port (the tunnel's own port)");
      return;
    }
    for (int j = 0; j < earlier.size(); j++) {
      ProxyConfig other = earlier.get(j);
      if (other.publishPort() == proxy.publishPort()
          && Addresses.overlap(other.publishAddr(), proxy.publishAddr())) {
        p.error(
            key,
            "binding "
                + binding(proxy)
                + " overlaps proxies["
                + j
                + "] '"
                + other.name()
                + "' ("
                + binding(other)
                + ")");
        return;
      }
    }
  }

  private static String binding(ProxyConfig proxy) {
    return Addresses.hostPort(proxy.publishAddr(), proxy.publishPort());
  }
}
