package dev.tlstunnel.cli;

import dev.tlstunnel.GroupMember;
import dev.tlstunnel.GroupState;
import dev.tlstunnel.client.ProxyState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code GROUP MEMBER ...} table of {@code status}: each load-balancing group one of the
 * client's proxies is in, with every member, whether it serves and its open connections, as the
 * server last reported them.
 */
final class GroupTable {
  private static final String[] HEADER = {
    "GROUP", "STRATEGY", "MEMBER", "SERVING", "CONNECTIONS", "PRIORITY"
  };

  private GroupTable() {}

  static StringBuilder append(StringBuilder text, List<ProxyState> proxies) {
    List<String[]> rows = new ArrayList<>();
    Set<String> shown = new HashSet<>();
    for (ProxyState p : proxies) {
      GroupState g = p.group();
      if (g == null || !shown.add(g.name())) {
        continue;
      }
      for (GroupMember m : g.members()) {
        rows.add(
            new String[] {
              g.name(),
              g.strategy(),
              m.clientId() + "/" + m.proxyName(),
              m.serving() ? "yes" : "no",
              String.valueOf(m.activeConnections()),
              String.valueOf(m.priority())
            });
      }
    }
    if (!rows.isEmpty()) {
      rows.add(0, HEADER);
      text.append('\n');
      StatusTable.appendColumns(text, rows);
    }
    return text;
  }
}
