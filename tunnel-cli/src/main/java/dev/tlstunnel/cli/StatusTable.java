package dev.tlstunnel.cli;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.config.Addresses;
import java.time.Duration;
import java.time.Instant;
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
    if (status.proxies().isEmpty()) {
      text.append(status.forwarders().isEmpty() ? "No proxies configured.\n" : "");
      return ForwarderTable.append(text, status.forwarders()).toString();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (ProxyState proxy : status.proxies()) {
      rows.add(
          new String[] {
            proxy.name(),
            proxy.status() == null ? "-" : proxy.status().wireName(),
            Addresses.hostPort(orDash(proxy.publishAddr()), proxy.publishPort()),
            orDash(proxy.local()),
            detail(proxy, now)
          });
    }
    text.append('\n');
    appendColumns(text, rows);
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
    List<String> parts = new ArrayList<>();
    if (proxy.error() != null && !proxy.error().isBlank()) {
      parts.add(proxy.error());
    }
    ProxyStatus status = proxy.status();
    if (status == ProxyStatus.UNHEALTHY) {
      Long wait = secondsUntilRetry(proxy, now);
      String retry = wait == null ? "retrying" : "retry in " + wait + "s";
      parts.add(retry + attempt(proxy));
    } else if (status == ProxyStatus.BIND_FAILED && retriesDone(proxy) != null) {
      parts.add("gave up after " + retries(retriesDone(proxy)));
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
  private static String attempt(ProxyState proxy) {
    if (proxy.attempt() == null) {
      return "";
    }
    if (proxy.maxRetries() == null || proxy.maxRetries() < 0) {
      return " (attempt " + proxy.attempt() + ")";
    }
    return " (attempt " + proxy.attempt() + "/" + proxy.maxRetries() + ")";
  }

  /** The retries made after the first attempt, as the server's {@code after 10 retries}. */
  private static Integer retriesDone(ProxyState proxy) {
    if (proxy.attempt() != null) {
      return proxy.attempt() - 1;
    }
    return proxy.maxRetries() != null && proxy.maxRetries() >= 0 ? proxy.maxRetries() : null;
  }

  /** {@code 1 retry}, {@code 10 retries}. */
  private static String retries(int n) {
    return n + (n == 1 ? " retry" : " retries");
  }

  private static Long secondsUntilRetry(ProxyState proxy, Instant now) {
    if (proxy.nextRetryAt() != null) {
      Duration left = Duration.between(now, proxy.nextRetryAt());
      return Math.max(0, (left.toMillis() + 999) / 1000);
    }
    return proxy.retryAfter() == null ? null : (proxy.retryAfter().toMillis() + 999) / 1000;
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

  private static String orDash(String value) {
    return value == null || value.isBlank() ? "-" : value;
  }
}
