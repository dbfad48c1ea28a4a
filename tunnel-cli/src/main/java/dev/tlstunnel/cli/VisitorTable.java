package dev.tlstunnel.cli;

import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.config.Addresses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The visitor parts of {@code status}: a {@code VISITOR STATUS LOCAL TARGET CONNS DETAIL} table,
 * and the connected visitors of a private proxy.
 */
final class VisitorTable {
  private static final String[] HEADER = {
    "VISITOR", "STATUS", "LOCAL", "TARGET", "CONNS", "DETAIL"
  };

  private VisitorTable() {}

  /** The header and one row per visitor. */
  static List<String[]> rows(List<VisitorState> visitors, Instant now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (VisitorState v : visitors) {
      String local = v.local() != null ? v.local() : Addresses.hostPort(v.bindAddr(), v.bindPort());
      rows.add(
          new String[] {
            v.name(),
            v.status() == null ? "-" : v.status().wireName(),
            local,
            StatusTable.orDash(v.target()),
            Integer.toString(v.activeConnections()),
            detail(v, now)
          });
    }
    return rows;
  }

  /** The bind problem while the listener is not healthy, else the last refusal, else "-". */
  static String detail(VisitorState v, Instant now) {
    String bind =
        StatusTable.bindDetail(
            v.error(),
            v.status(),
            v.nextRetryAt(),
            v.retryAfter(),
            v.attempt(),
            v.maxRetries(),
            now);
    if (v.status() == ProxyStatus.PENDING) {
      return "binding";
    }
    if (!bind.equals("-") || v.lastError() == null) {
      return bind;
    }
    return "last refused: " + v.lastError();
  }

  static boolean isPrivate(ProxyState proxy) {
    return "private".equals(proxy.visibility());
  }

  /** {@code visitors: laptop (2), ci (1)}, or the proxy's state detail when none is connected. */
  static String detail(ProxyState proxy) {
    List<ConnectedVisitor> connected = proxy.connectedVisitors();
    if (connected == null || connected.isEmpty()) {
      return proxy.status() == ProxyStatus.PENDING
          ? "waiting for the server"
          : "no visitor connected";
    }
    List<String> parts = new ArrayList<>();
    for (ConnectedVisitor v : connected) {
      parts.add(v.clientId() + " (" + v.connections() + ")");
    }
    return "visitors: " + String.join(", ", parts);
  }
}
