package dev.tlstunnel.config;

import java.util.List;

/**
 * Watching a server or client: the server's admin listener ({@code admin_addr}, {@code admin_port};
 * the client's are {@code client.admin_addr}/{@code admin_port}), who may read it ({@code
 * admin_token}, or {@code admin_user} and {@code admin_password}; one is required on a server admin
 * address that is not loopback), the bound on metric label values ({@code metrics_label_limit}) and
 * the fault notifications ({@code [[server.notify]]}, {@code [[client.notify]]}).
 *
 * @param adminAddr the server's admin address (default loopback)
 * @param adminPort the server's admin port, null when off (always null on a client)
 * @param adminToken the bearer token the admin listener asks for, or null
 * @param adminUser the basic-auth user, or null
 * @param adminPassword the basic-auth password, or null
 * @param metricsLabelLimit how many proxies (and, on a server, clients) get series of their own
 * @param notifications where faults are reported
 */
public record MonitoringConfig(
    String adminAddr,
    Integer adminPort,
    String adminToken,
    String adminUser,
    String adminPassword,
    int metricsLabelLimit,
    List<NotifyConfig> notifications) {

  /** The default label limit. */
  public static final int DEFAULT_LABEL_LIMIT = 500;

  /** The default admin address of a server: loopback only. */
  public static final String DEFAULT_ADMIN_ADDR = "127.0.0.1";

  /** No server admin listener, no authentication, no notification. */
  public static final MonitoringConfig DEFAULT =
      new MonitoringConfig(
          DEFAULT_ADMIN_ADDR, null, null, null, null, DEFAULT_LABEL_LIMIT, List.of());

  public MonitoringConfig {
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  /** The server's admin listener on {@code addr:port} (0: a free port; null port: off). */
  public MonitoringConfig withAdmin(String addr, Integer port) {
    return new MonitoringConfig(
        addr, port, adminToken, adminUser, adminPassword, metricsLabelLimit, notifications);
  }

  /** The admin listener asks for {@code Authorization: Bearer token}. */
  public MonitoringConfig withToken(String token) {
    return new MonitoringConfig(
        adminAddr, adminPort, token, adminUser, adminPassword, metricsLabelLimit, notifications);
  }

  /** The admin listener asks for basic credentials. */
  public MonitoringConfig withBasicAuth(String user, String password) {
    return new MonitoringConfig(
        adminAddr, adminPort, adminToken, user, password, metricsLabelLimit, notifications);
  }

  public MonitoringConfig withLabelLimit(int limit) {
    return new MonitoringConfig(
        adminAddr, adminPort, adminToken, adminUser, adminPassword, limit, notifications);
  }

  public MonitoringConfig withNotify(List<NotifyConfig> targets) {
    return new MonitoringConfig(
        adminAddr, adminPort, adminToken, adminUser, adminPassword, metricsLabelLimit, targets);
  }

  @Override
  public String toString() {
    return "MonitoringConfig[adminAddr="
        + adminAddr
        + ", adminPort="
        + adminPort
        + ", adminToken="
        + (adminToken == null ? "none" : "***")
        + ", adminUser="
        + adminUser
        + ", adminPassword="
        + (adminPassword == null ? "none" : "***")
        + ", metricsLabelLimit="
        + metricsLabelLimit
        + ", notifications="
        + notifications
        + "]";
  }
}
