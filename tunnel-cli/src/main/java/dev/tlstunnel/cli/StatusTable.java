package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Renders a {@link ClientStatus} as a session line and a {@code PROXY STATUS ...} table. */
public final class StatusTable {
  private static final String[] HEADER = {"PROXY", "STATUS", "PUBLISH", "LOCAL", "DETAIL"};

  private StatusTable() {}

  /** The text for {@code status}, ending with a newline; {@code now} dates the retry countdown. */
  public static String render(ClientStatus status, Instant now) {
    StringBuilder text = new StringBuilder(session(status)).append('\n');
    if (status.lastError() != null && !status.lastError().isBlank()) {
      text.append("Last error: ").append(status.lastError()).append('\n');
    }
    String reconnect = reconnect(status, now);
    if (reconnect != null) {
      text.append(reconnect).append('\n');
    }
    if (status.proxies().isEmpty() && status.visitors().isEmpty()) {
      return text.append("No proxies configured.\n").toString();
    }
    if (!status.proxies().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(HEADER);
      for (ProxyState proxy : status.proxies()) {
        rows.add(
            new String[] {
              proxy.name(),
              proxy.status(),
              VisitorTable.isPrivate(proxy)
                  ? "private"
                  : CheckCommand.hostPort(orDash(proxy.publishAddr()), proxy.publishPort()),
              orDash(proxy.local()),
              VisitorTable.isPrivate(proxy) ? VisitorTable.detail(proxy) : detail(proxy, now)
            });
      }
      text.append('\n');
      appendColumns(text, rows);
    }
    if (!status.visitors().isEmpty()) {
      text.append('\n');
      appendColumns(text, VisitorTable.rows(status.visitors(), now));
    }
    return text.toString();
  }

  /** {@code Session: connected to host:port as client-id}. */
  static String session(ClientStatus status) {
    String state = orDash(status.sessionState());
    String where =
        switch (state) {
          case "connected", "connecting" -> state + " to ";
          case "disconnected" -> "disconnected from ";
          default -> state + ", server ";
        };
    return "Session: " + where + orDash(status.server()) + " as " + orDash(status.clientId());
  }

  /** {@code Reconnecting: attempt 3 in 4s}, {@code Reconnecting: attempt 3 now}, or null. */
  static String reconnect(ClientStatus status, Instant now) {
    if (status.reconnectAttempt() == null) {
      return null;
    }
    String when = "now";
    if (status.nextAttemptAt() != null) {
      try {
        Duration left = Duration.between(now, Instant.parse(status.nextAttemptAt()));
        long seconds = Math.max(0, (left.toMillis() + 999) / 1000);
        when = seconds == 0 ? "now" : "in " + seconds + "s";
      } catch (DateTimeParseException e) {
        when = "at " + status.nextAttemptAt();
      }
    }
    return "Reconnecting: attempt " + status.reconnectAttempt() + " " + when;
  }

  /** The error, plus the retry countdown and attempt while unhealthy. */
  static String detail(ProxyState proxy, Instant now) {
    return bindDetail(
        proxy.error(),
        proxy.status(),
        proxy.nextRetryAt(),
        proxy.retryAfterSeconds(),
        proxy.attempt(),
        proxy.maxRetries(),
        now);
  }

  /** The bind detail of a proxy or a visitor: error, retry countdown, attempt, give-up. */
  static String bindDetail(
      String error,
      String state,
      String nextRetryAt,
      Double retryAfterSeconds,
      Integer attempt,
      Integer maxRetries,
      Instant now) {
    List<String> parts = new ArrayList<>();
    if (error != null && !error.isBlank()) {
      parts.add(error);
    }
    String status = orDash(state);
    if (status.equals("unhealthy")) {
      Long wait = secondsUntilRetry(nextRetryAt, retryAfterSeconds, now);
      String retry = wait == null ? "retrying" : "retry in " + wait + "s";
      parts.add(retry + attempt(attempt, maxRetries));
    } else if (status.equals("bind_failed") && maxRetries != null) {
      parts.add("gave up after " + maxRetries + " retries");
    } else if (status.equals("pending")) {
      parts.add("waiting for the server");
    }
    return parts.isEmpty() ? "-" : String.join("; ", parts);
  }

  private static String attempt(Integer attempt, Integer maxRetries) {
    if (attempt == null) {
      return "";
    }
    if (maxRetries == null) {
      return " (attempt " + attempt + ")";
    }
    String max = maxRetries < 0 ? "unlimited" : String.valueOf(maxRetries);
    return " (attempt " + attempt + "/" + max + ")";
  }

  private static Long secondsUntilRetry(String nextRetryAt, Double retryAfterSeconds, Instant now) {
    if (nextRetryAt != null) {
      try {
        Duration left = Duration.between(now, Instant.parse(nextRetryAt));
        return Math.max(0, (left.toMillis() + 999) / 1000);
      } catch (DateTimeParseException e) {
        // fall back to the announced delay
      }
    }
    return retryAfterSeconds == null ? null : Math.round(retryAfterSeconds);
  }

  static void appendColumns(StringBuilder text, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
  }

  static String orDash(String value) {
    return value == null || value.isBlank() ? "-" : value;
  }
}
