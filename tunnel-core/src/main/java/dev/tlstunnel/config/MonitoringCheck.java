package dev.tlstunnel.config;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Value rules of {@link MonitoringConfig}, called from {@link ConfigValidator}. */
final class MonitoringCheck {
  /** The shortest admin token accepted. */
  static final int MIN_TOKEN = 16;

  private MonitoringCheck() {}

  /** A server's: an admin address that is not loopback needs credentials. */
  static MonitoringConfig server(MonitoringConfig m, Problems p) {
    if (m == null) {
      return MonitoringConfig.DEFAULT;
    }
    String addr =
        Checks.address(m.adminAddr(), MonitoringConfig.DEFAULT_ADMIN_ADDR, "server.admin_addr", p);
    if (m.adminPort() != null) {
      Checks.port(m.adminPort(), 0, "server.admin_port", p);
      if (!isLoopback(addr) && m.adminToken() == null && m.adminUser() == null) {
        p.error(
            "server.admin_token",
            "required because server.admin_addr ("
                + addr
                + ") is not a loopback address: set admin_token, or admin_user and"
                + " admin_password");
      }
    }
    common(m, "server", p);
    return m.withAdmin(addr, m.adminPort());
  }

  /** A client's: an admin address that is not loopback without credentials is only warned of. */
  static MonitoringConfig client(MonitoringConfig m, String adminAddr, Integer port, Problems p) {
    if (m == null) {
      m = MonitoringConfig.DEFAULT;
    }
    if (port != null
        && adminAddr != null
        && !isLoopback(adminAddr)
        && m.adminToken() == null
        && m.adminUser() == null) {
      p.warn(
          "client.admin_addr",
          adminAddr
              + " is not a loopback address and neither admin_token nor admin_user is set:"
              + " whoever reaches it can read the status and metrics and ask for retries");
    }
    common(m, "client", p);
    return m.withAdmin(MonitoringConfig.DEFAULT_ADMIN_ADDR, null);
  }

  private static void common(MonitoringConfig m, String side, Problems p) {
    if (m.adminToken() != null && m.adminToken().length() < MIN_TOKEN) {
      p.error(
          side + ".admin_token",
          "must be at least " + MIN_TOKEN + " characters (got " + m.adminToken().length() + ")");
    }
    if (m.adminUser() != null && (m.adminPassword() == null || m.adminPassword().isEmpty())) {
      p.error(side + ".admin_password", "required with admin_user");
    } else if (m.adminUser() == null && m.adminPassword() != null) {
      p.error(side + ".admin_user", "required with admin_password");
    } else if (m.adminUser() != null && (m.adminUser().isEmpty() || m.adminUser().contains(":"))) {
      p.error(side + ".admin_user", "must be non-empty and contain no ':'");
    }
    Checks.atLeast(m.metricsLabelLimit(), 1, side + ".metrics_label_limit", p);
    List<NotifyConfig> notify = m.notifications();
    for (int i = 0; i < notify.size(); i++) {
      notify(notify.get(i), side + ".notify[" + i + "]", p);
    }
  }

  private static void notify(NotifyConfig n, String key, Problems p) {
    if (n.url() == null && n.exec().isEmpty()) {
      p.error(key, "set url (a webhook) or exec (a command)");
    } else if (n.url() != null && !n.exec().isEmpty()) {
      p.error(key + ".exec", "set either url or exec, not both");
    } else if (n.url() != null) {
      String scheme = n.url().getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || n.url().getHost() == null) {
        p.error(key + ".url", "must be an http:// or https:// URL with a host, got " + n.url());
      }
    } else if (n.exec().get(0).isBlank()) {
      p.error(key + ".exec[0]", "must name the command");
    }
    for (String event : n.events()) {
      if (!NotifyConfig.EVENTS.contains(event)) {
        p.error(
            key + ".events",
            "unknown event '" + event + "'; known: " + String.join(", ", NotifyConfig.EVENTS));
      }
    }
    if (n.secret() != null && n.secret().isEmpty()) {
      p.error(key + ".secret", "must not be empty");
    }
    Checks.duration(n.timeout(), null, false, key + ".timeout", p);
    Checks.duration(n.retryDelay(), null, false, key + ".retry_delay", p);
    if (n.retries() < 0 || n.retries() > 20) {
      p.error(key + ".retries", "must be between 0 and 20, got " + n.retries());
    }
    if (n.queueSize() < 1 || n.queueSize() > 100_000) {
      p.error(key + ".queue_size", "must be between 1 and 100000, got " + n.queueSize());
    }
  }

  /** Whether {@code addr} is a loopback literal or {@code localhost} (names are not resolved). */
  static boolean isLoopback(String addr) {
    String a =
        addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
    if (a.equalsIgnoreCase("localhost")) {
      return true;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(a);
    if (bytes == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(bytes).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
