package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.config.MonitoringConfig;

/**
 * The admin listener's settings in a reload plan: its address, credentials and the metrics label
 * limit are read once at start, so a change to any of them refuses the reload; the server's fault
 * notification targets are replaced (for notices from then on), a client's refuse it too.
 */
final class MonitoringPlan {
  private MonitoringPlan() {}

  /**
   * Adds the changed monitoring settings of {@code side} ({@code client} or {@code server}) as
   * refused; the server's admin address and port too, and its notify targets as updated ({@code
   * server}).
   */
  static void add(
      PlanBuilder plan,
      String side,
      MonitoringConfig a,
      MonitoringConfig b,
      boolean server,
      String restart) {
    Action r = Action.REFUSED;
    String k = side + ".";
    if (server) {
      plan.setting(k + "admin_addr", a.adminAddr(), b.adminAddr(), r, restart)
          .setting(k + "admin_port", a.adminPort(), b.adminPort(), r, restart);
    }
    plan.hidden(k + "admin_token", a.adminToken(), b.adminToken(), r, restart)
        .setting(k + "admin_user", a.adminUser(), b.adminUser(), r, restart)
        .hidden(k + "admin_password", a.adminPassword(), b.adminPassword(), r, restart)
        .setting(
            k + "metrics_label_limit", a.metricsLabelLimit(), b.metricsLabelLimit(), r, restart)
        .hidden(
            k + "notify",
            a.notifications(),
            b.notifications(),
            server ? Action.UPDATE : r,
            server ? "for notices from now on" : restart);
  }
}
