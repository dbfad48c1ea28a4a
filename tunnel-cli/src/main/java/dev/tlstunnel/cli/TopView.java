package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * How {@code top} lays out a {@link TopData.Snapshot}: the order ({@link Sort}, reversible), the
 * filter (a case-insensitive substring of kind, name, owner or state), the lines of text, and the
 * JSON of {@code --once --json}.
 */
final class TopView {
  /** The sort keys, in the order {@code s} cycles through them. */
  enum Sort {
    NAME(
        Comparator.comparing((TopData.Row r) -> kindOrder(r.kind()))
            .thenComparing(r -> r.name() == null ? "" : r.name())),
    STATE(Comparator.comparing((TopData.Row r) -> r.state() == null ? "" : r.state())),
    ACTIVE(Comparator.comparingLong(TopData.Row::active).reversed()),
    TOTAL(Comparator.comparingLong(TopData.Row::total).reversed()),
    IN(Comparator.comparingDouble(TopData.Row::rateIn).reversed()),
    OUT(Comparator.comparingDouble(TopData.Row::rateOut).reversed());

    final Comparator<TopData.Row> order;

    Sort(Comparator<TopData.Row> order) {
      this.order = order;
    }

    Sort next() {
      return values()[(ordinal() + 1) % values().length];
    }

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] HEADER = {
    "KIND",
    "NAME",
    "OWNER",
    "STATE",
    "ACTIVE",
    "TOTAL",
    "IN/s",
    "OUT/s",
    "IN",
    "OUT",
    "UP",
    "LAST ERROR"
  };

  Sort sort = Sort.NAME;
  boolean reversed;
  String filter = "";

  /** The rows to show, filtered and sorted. */
  List<TopData.Row> rows(TopData.Snapshot s) {
    String f = filter.toLowerCase(Locale.ROOT);
    List<TopData.Row> out = new ArrayList<>();
    for (TopData.Row r : s.rows()) {
      if (f.isEmpty() || matches(r, f)) {
        out.add(r);
      }
    }
    Comparator<TopData.Row> order = sort.order.thenComparing(r -> r.name() == null ? "" : r.name());
    out.sort(reversed ? order.reversed() : order);
    return out;
  }

  /** The screen as lines of at most {@code width} characters: title, keys, header, rows. */
  List<String> lines(TopData.Snapshot s, String source, Instant now, int width, String status) {
    List<String> out = new ArrayList<>();
    out.add(
        fit(
            "tls-tunnel top · "
                + s.side()
                + " "
                + source
                + " · version "
                + s.version()
                + " · up "
                + duration(s.uptimeSeconds())
                + " · "
                + now.toString().substring(11, 19)
                + " UTC",
            width));
    out.add(fit(s.summary(), width));
    out.add(
        fit(
            "q quit · s sort: "
                + sort.key()
                + (reversed ? " (reversed)" : "")
                + " · r reverse · / filter: "
                + (filter.isEmpty() ? "-" : filter)
                + (status == null ? "" : " · " + status),
            width));
    out.add("");
    List<String[]> table = new ArrayList<>();
    table.add(HEADER);
    for (TopData.Row r : rows(s)) {
      table.add(cells(r));
    }
    StringBuilder text = new StringBuilder();
    StatusTable.appendColumns(text, table);
    for (String line : text.toString().split("\n")) {
      out.add(fit(line, width));
    }
    return out;
  }

  /** {@code --once --json}: the rows as shown, with their numbers unformatted. */
  String json(TopData.Snapshot s, String source, Instant now) {
    ObjectNode root = JSON.createObjectNode();
    root.put("side", s.side());
    root.put("url", source);
    root.put("time", now.toString());
    root.put("version", s.version());
    root.put("uptime_seconds", s.uptimeSeconds());
    root.put("summary", s.summary());
    root.put("sort", sort.key());
    root.put("filter", filter);
    ArrayNode rows = root.putArray("rows");
    for (TopData.Row r : rows(s)) {
      rows.addObject()
          .put("kind", r.kind())
          .put("name", r.name())
          .put("owner", r.owner())
          .put("state", r.state())
          .put("active", r.active())
          .put("total", r.total())
          .put("rate_in", r.rateIn())
          .put("rate_out", r.rateOut())
          .put("bytes_in", r.bytesIn())
          .put("bytes_out", r.bytesOut())
          .put("uptime_seconds", r.uptimeSeconds())
          .put("last_error", r.lastError());
    }
    return root.toString();
  }

  private static String[] cells(TopData.Row r) {
    return new String[] {
      r.kind(),
      StatusTable.orDash(r.name()),
      StatusTable.orDash(r.owner()),
      StatusTable.orDash(r.state()),
      String.valueOf(r.active()),
      String.valueOf(r.total()),
      ForwarderTable.bytes(Math.round(r.rateIn())),
      ForwarderTable.bytes(Math.round(r.rateOut())),
      ForwarderTable.bytes(r.bytesIn()),
      ForwarderTable.bytes(r.bytesOut()),
      duration(r.uptimeSeconds()),
      StatusTable.orDash(r.lastError())
    };
  }

  private static boolean matches(TopData.Row r, String f) {
    for (String field : new String[] {r.kind(), r.name(), r.owner(), r.state()}) {
      if (field != null && field.toLowerCase(Locale.ROOT).contains(f)) {
        return true;
      }
    }
    return false;
  }

  private static int kindOrder(String kind) {
    return switch (kind) {
      case "session", "client" -> 0;
      case "proxy" -> 1;
      case "forwarder" -> 2;
      default -> 3;
    };
  }

  /** {@code 42s}, {@code 5m03s}, {@code 2h05m}, {@code 3d04h}; {@code -} when unknown. */
  static String duration(Double seconds) {
    if (seconds == null) {
      return "-";
    }
    long s = Math.max(0, Math.round(seconds));
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    if (s < 86400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s / 3600 % 24);
  }

  private static String fit(String line, int width) {
    return line.length() <= width ? line : line.substring(0, Math.max(0, width));
  }
}
