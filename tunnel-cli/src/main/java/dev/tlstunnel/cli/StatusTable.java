package dev.tlstunnel.cli;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.config.Addresses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ClientStatus} as a session line and the {@code PROXY STATUS ...}, visitor and
 * forwarder tables.
 */
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
    if (status.proxies().isEmpty()
        && status.forwarders().isEmpty()
        && status.visitors().isEmpty()) {
      return text.append("No proxies configured.\n").toString();
    }
    if (!status.proxies().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      rows.add(HEADER);
      for (ProxyState proxy : status.proxies()) {
        boolean isPrivate = VisitorTable.isPrivate(proxy);
        rows.add(
            new String[] {
              proxy.name(),
              proxy.status() == null ? "-" : proxy.status().wireName(),
              isPrivate
                  ? "private"
                  : Addresses.hostPort(orDash(proxy.publishAddr()), proxy.publishPort()),
              orDash(proxy.local()),
              isPrivate ? VisitorTable.detail(proxy) : detail(proxy, now)
            });
      }
      text.append('\n');
      appendColumns(text, rows);
      GroupTable.append(text, status.proxies());
    }
    if (!status.visitors().isEmpty()) {
      text.append('\n');
      appendColumns(text, VisitorTable.rows(status.visitors(), now));
    }
    return ForwarderTable.append(text, status.forwarders()).toString();
  }

  /** {@code Session: connected to host:port as client-id over wss}. */
  static String session(ClientStatus status) {
    String state = status.sessionState() == null ? "-" : status.sessionState().wireName();
    String where =
        switch (state) {
          case "connected", "connecting" -> state + " to ";
          case "disconnected" -> "disconnected from ";
          default -> state + ", server ";
        };
    return "Session: "
        + where
        + orDash(status.server())
        + " as "
        + orDash(status.clientId())
        + (status.transport() == null ? "" : " over " + status.transport());
  }

  /** {@code Reconnecting: attempt 3 in 4s}, {@code Reconnecting: attempt 3 now}, or null. */
  static String reconnect(ClientStatus status, Instant now) {
    if (status.reconnectAttempt() == null) {
      return null;
    }
    String when = "now";
    if (status.nextAttemptAt() != null) {
      Duration left = Duration.between(now, status.nextAttemptAt());
      long seconds = Math.max(0, (left.toMillis() + 999) / 1000);
      when = seconds == 0 ? "now" : "in " + seconds + "s";
    }
    return "Reconnecting: attempt " + status.reconnectAttempt() + " " + when;
  }

  /** The error, plus the retry countdown and attempt while unhealthy. */
  static String detail(ProxyState proxy, Instant now) {
    return bindDetail(
        proxy.error(),
        proxy.status(),
        proxy.nextRetryAt(),
        proxy.retryAfter(),
        proxy.attempt(),
        proxy.maxRetries(),
        now);
  }

  /** The bind detail of a proxy or a visitor: error, retry countdown, attempt, give-up. */
  static String bindDetail(
      String error,
      ProxyStatus status,
      Instant nextRetryAt,
      Duration retryAfter,
      Integer attempt,
      Integer maxRetries,
      Instant now) {
    List<String> parts = new ArrayList<>();
    if (error != null && !error.isBlank()) {
      parts.add(error);
    }
    Integer retriesDone = retriesDone(attempt, maxRetries);
    if (status == ProxyStatus.UNHEALTHY) {
      Long wait = secondsUntilRetry(nextRetryAt, retryAfter, now);
      String retry = wait == null ? "retrying" : "retry in " + wait + "s";
      parts.add(retry + attempt(attempt, maxRetries));
    } else if (status == ProxyStatus.BIND_FAILED && retriesDone != null) {
      parts.add("gave up after " + retries(retriesDone));
    } else if (status == ProxyStatus.PENDING) {
      parts.add("waiting for the server");
    }
    return parts.isEmpty() ? "-" : String.join("; ", parts);
  }

  /**
   * {@code " (attempt 2/10)"}: the attempt that failed, out of the retries allowed after the first
   * one, numbered as in the server's {@code bind failed (attempt 2/10)} line; {@code " (attempt
   * 2)"} without a limit.
   */
  private static String attempt(Integer attempt, Integer maxRetries) {
    if (attempt == null) {
      return "";
    }
    if (maxRetries == null || maxRetries < 0) {
      return " (attempt " + attempt + ")";
    }
    return " (attempt " + attempt + "/" + maxRetries + ")";
  }

  /** The retries made after the first attempt, as the server's {@code after 10 retries}. */
  private static Integer retriesDone(Integer attempt, Integer maxRetries) {
    if (attempt != null) {
      return attempt - 1;
    }
    return maxRetries != null && maxRetries >= 0 ? maxRetries : null;
  }

  /** {@code 1 retry}, {@code 10 retries}. */
  private static String retries(int n) {
    return n + (n == 1 ? " retry" : " retries");
  }

  private static Long secondsUntilRetry(Instant nextRetryAt, Duration retryAfter, Instant now) {
    if (nextRetryAt != null) {
      Duration left = Duration.between(now, nextRetryAt);
      return Math.max(0, (left.toMillis() + 999) / 1000);
    }
    return retryAfter == null ? null : (retryAfter.toMillis() + 999) / 1000;
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
