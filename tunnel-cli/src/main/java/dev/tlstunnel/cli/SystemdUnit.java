package dev.tlstunnel.cli;

import java.nio.file.Path;
import java.util.Locale;

/** The text of a systemd service unit that runs {@code tls-tunnel server|client -c FILE}. */
final class SystemdUnit {
  private SystemdUnit() {}

  /**
   * @param role {@code server} or {@code client}
   * @param config the config file, absolute
   * @param copy the copy of tls-tunnel the unit runs, through its launcher
   * @param user the account to run as, or null for root
   */
  static String render(String role, Path config, InstalledCopy copy, String user) {
    String exec =
        quote(copy.launcher().toString()) + " " + role + " -c " + quote(config.toString());
    StringBuilder unit = new StringBuilder();
    unit.append("# Written by 'tls-tunnel service install ")
        .append(role)
        .append("'.\n")
        .append("# Runs the launcher of ")
        .append(copy.needsCopy() ? "the copy installed in " : "the release archive in ")
        .append(copy.home().toString().replace("%", "%%"))
        .append(", which adds the JVM flags of ./tls-tunnel.\n")
        .append("[Unit]\n")
        .append("Description=tls-tunnel ")
        .append(role)
        .append(" (")
        .append(config.toString().replace("%", "%%"))
        .append(")\n")
        .append("Wants=network-online.target\n")
        .append("After=network-online.target\n")
        .append("\n")
        .append("[Service]\n")
        .append("Type=simple\n")
        .append("ExecStart=")
        .append(exec)
        .append('\n');
    if (user != null) {
      unit.append("User=").append(user).append('\n');
      if (role.equals("server")) {
        unit.append("# Lets the server publish ports below 1024 without running as root.\n")
            .append("AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
      }
    }
    unit.append("Restart=on-failure\n")
        .append("RestartSec=5s\n")
        .append(
            "# Exit code 1 is a usage or configuration error: restarting would only repeat it.\n")
        .append("RestartPreventExitStatus=1\n")
        .append("# Java's exit code when stopped by SIGTERM before tls-tunnel handles it.\n")
        .append("SuccessExitStatus=143\n")
        .append("NoNewPrivileges=true\n")
        .append("PrivateTmp=true\n")
        .append("ProtectSystem=full\n")
        .append("\n")
        .append("[Install]\n")
        .append("WantedBy=multi-user.target\n");
    return unit.toString();
  }

  /** The default unit name for a role, e.g. {@code tls-tunnel-server}. */
  static String defaultName(String role) {
    return "tls-tunnel-" + role.toLowerCase(Locale.ROOT);
  }

  /**
   * One ExecStart word: double-quoted with backslash escapes when it holds a space, quote or
   * backslash; {@code %} doubled (systemd's specifier character) and {@code $} doubled.
   */
  static String quote(String word) {
    String s = word.replace("%", "%%").replace("$", "$$");
    if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '"' || c == '\\')) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
    return s;
  }
}
