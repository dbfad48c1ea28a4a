package dev.tlstunnel.cli;

import dev.tlstunnel.ForwarderState;
import java.util.ArrayList;
import java.util.List;

/** The {@code FORWARDER TYPE LISTEN STATUS ...} table of {@code status}. */
final class ForwarderTable {
  private static final String[] HEADER = {
    "FORWARDER", "TYPE", "LISTEN", "STATUS", "ACTIVE", "DIRECT/TUNNEL/BLOCKED", "IN/OUT", "DETAIL"
  };

  private ForwarderTable() {}

  /** Appends the table (after a blank line) when there are forwarders. */
  static StringBuilder append(StringBuilder text, List<ForwarderState> forwarders) {
    if (forwarders.isEmpty()) {
      return text;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ForwarderState f : forwarders) {
      rows.add(
          new String[] {
            f.name(),
            f.type(),
            f.listen(),
            f.status() == null ? "?" : f.status().wireName(),
            Long.toString(f.activeConnections()),
            f.direct() + "/" + f.tunneled() + "/" + f.blocked(),
            bytes(f.bytesIn()) + "/" + bytes(f.bytesOut()),
            detail(f)
          });
    }
    text.append('\n');
    StatusTable.appendColumns(text, rows);
    return text;
  }

  private static String detail(ForwarderState f) {
    List<String> parts = new ArrayList<>();
    if (f.bindError() != null) {
      parts.add(f.bindError());
    }
    if (f.rejectedConnections() > 0) {
      parts.add(f.rejectedConnections() + " over max_connections");
    }
    if (f.lastError() != null) {
      parts.add("last error: " + f.lastError());
    }
    return parts.isEmpty() ? "-" : String.join("; ", parts);
  }

  /** {@code 512B}, {@code 1.5KiB}, {@code 64.0MiB}... */
  static String bytes(long n) {
    if (n < 1024) {
      return n + "B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f%s", v, units[u]);
  }
}
