package dev.tlstunnel.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.GroupMember;
import dev.tlstunnel.GroupState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of {@link ClientStatus}, as documented for {@code GET /api/status}: snake_case
 * fields, instants as ISO-8601 strings, the retry wait as {@code retry_after_seconds}, status names
 * in lower case; absent values are {@code null}.
 */
final class StatusJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusJson() {}

  private static void writeGroup(ObjectNode proxy, GroupState g) {
    if (g == null) {
      proxy.putNull("group");
      return;
    }
    ObjectNode group = proxy.putObject("group");
    group.put("name", g.name());
    group.put("strategy", g.strategy());
    ArrayNode members = group.putArray("members");
    for (GroupMember m : g.members()) {
      members
          .addObject()
          .put("client_id", m.clientId())
          .put("proxy_name", m.proxyName())
          .put("serving", m.serving())
          .put("active_connections", m.activeConnections())
          .put("priority", m.priority());
    }
  }

  private static GroupState group(JsonNode g) {
    if (g == null || !g.isObject()) {
      return null;
    }
    List<GroupMember> members = new ArrayList<>();
    for (JsonNode m : g.path("members")) {
      members.add(
          new GroupMember(
              str(m, "client_id"),
              str(m, "proxy_name"),
              m.path("serving").asBoolean(),
              m.path("active_connections").asInt(),
              m.path("priority").asInt()));
    }
    return new GroupState(str(g, "name"), str(g, "strategy"), members);
  }

  static String write(ClientStatus s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("client_id", s.clientId());
    root.put("server", s.server());
    root.put("session_state", s.sessionState() == null ? null : s.sessionState().wireName());
    root.put("last_error", s.lastError());
    root.put("next_attempt_at", text(s.nextAttemptAt()));
    root.put("reconnect_attempt", s.reconnectAttempt());
    ArrayNode proxies = root.putArray("proxies");
    for (ProxyState p : s.proxies()) {
      ObjectNode n = proxies.addObject();
      n.put("name", p.name());
      n.put("status", p.status() == null ? null : p.status().wireName());
      n.put("publish_addr", p.publishAddr());
      n.put("publish_port", p.publishPort());
      n.put("local", p.local());
      n.put("error", p.error());
      n.put("retry_after_seconds", seconds(p.retryAfter()));
      n.put("next_retry_at", text(p.nextRetryAt()));
      n.put("attempt", p.attempt());
      n.put("max_retries", p.maxRetries());
      n.put("updated_at", text(p.updatedAt()));
      n.put("visibility", p.visibility());
      if (p.connectedVisitors() == null) {
        n.putNull("connected_visitors");
      } else {
        ArrayNode connected = n.putArray("connected_visitors");
        for (ConnectedVisitor v : p.connectedVisitors()) {
          connected.addObject().put("client_id", v.clientId()).put("connections", v.connections());
        }
      }
      writeGroup(n, p.group());
    }
    root.put("transport", s.transport());
    root.put("proxy_url", s.proxyUrl());
    ArrayNode forwarders = root.putArray("forwarders");
    for (ForwarderState f : s.forwarders()) {
      ObjectNode n = forwarders.addObject();
      n.put("name", f.name());
      n.put("type", f.type());
      n.put("listen", f.listen());
      n.put("status", f.status() == null ? null : f.status().wireName());
      n.put("bind_error", f.bindError());
      n.put("active_connections", f.activeConnections());
      n.put("total_connections", f.totalConnections());
      n.put("rejected_connections", f.rejectedConnections());
      n.put("direct", f.direct());
      n.put("tunneled", f.tunneled());
      n.put("blocked", f.blocked());
      n.put("bytes_in", f.bytesIn());
      n.put("bytes_out", f.bytesOut());
      n.put("last_error", f.lastError());
    }
    ArrayNode visitors = root.putArray("visitors");
    for (VisitorState v : s.visitors()) {
      ObjectNode n = visitors.addObject();
      n.put("name", v.name());
      n.put("target", v.target());
      n.put("bind_addr", v.bindAddr());
      n.put("bind_port", v.bindPort());
      n.put("local", v.local());
      n.put("status", v.status() == null ? null : v.status().wireName());
      n.put("error", v.error());
      n.put("retry_after_seconds", seconds(v.retryAfter()));
      n.put("next_retry_at", text(v.nextRetryAt()));
      n.put("attempt", v.attempt());
      n.put("max_retries", v.maxRetries());
      n.put("active_connections", v.activeConnections());
      n.put("total_connections", v.totalConnections());
      n.put("last_error", v.lastError());
      n.put("last_error_at", text(v.lastErrorAt()));
      n.put("updated_at", text(v.updatedAt()));
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("status cannot be written as JSON", e);
    }
  }

  static ClientStatus read(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    List<ProxyState> proxies = new ArrayList<>();
    for (JsonNode n : root.path("proxies")) {
      proxies.add(
          new ProxyState(
              str(n, "name"),
              ProxyStatus.fromWireName(str(n, "status")),
              str(n, "publish_addr"),
              n.path("publish_port").asInt(),
              str(n, "local"),
              str(n, "error"),
              duration(n.get("retry_after_seconds")),
              instant(n, "next_retry_at"),
              integer(n, "attempt"),
              integer(n, "max_retries"),
              instant(n, "updated_at"),
              str(n, "visibility"),
              connected(n.get("connected_visitors")),
              group(n.get("group"))));
    }
    List<ForwarderState> forwarders = new ArrayList<>();
    for (JsonNode n : root.path("forwarders")) {
      forwarders.add(
          new ForwarderState(
              str(n, "name"),
              str(n, "type"),
              str(n, "listen"),
              ProxyStatus.fromWireName(str(n, "status")),
              str(n, "bind_error"),
              n.path("active_connections").asLong(),
              n.path("total_connections").asLong(),
              n.path("rejected_connections").asLong(),
              n.path("direct").asLong(),
              n.path("tunneled").asLong(),
              n.path("blocked").asLong(),
              n.path("bytes_in").asLong(),
              n.path("bytes_out").asLong(),
              str(n, "last_error")));
    }
    List<VisitorState> visitors = new ArrayList<>();
    for (JsonNode n : root.path("visitors")) {
      visitors.add(
          new VisitorState(
              str(n, "name"),
              str(n, "target"),
              str(n, "bind_addr"),
              n.path("bind_port").asInt(),
              str(n, "local"),
              ProxyStatus.fromWireName(str(n, "status")),
              str(n, "error"),
              duration(n.get("retry_after_seconds")),
              instant(n, "next_retry_at"),
              integer(n, "attempt"),
              integer(n, "max_retries"),
              n.path("active_connections").asInt(),
              n.path("total_connections").asLong(),
              str(n, "last_error"),
              instant(n, "last_error_at"),
              instant(n, "updated_at")));
    }
    return new ClientStatus(
        str(root, "client_id"),
        str(root, "server"),
        SessionState.fromWireName(str(root, "session_state")),
        str(root, "last_error"),
        instant(root, "next_attempt_at"),
        integer(root, "reconnect_attempt"),
        proxies,
        str(root, "transport"),
        str(root, "proxy_url"),
        forwarders,
        visitors);
  }

  private static List<ConnectedVisitor> connected(JsonNode array) {
    if (array == null || !array.isArray()) {
      return null;
    }
    List<ConnectedVisitor> list = new ArrayList<>();
    for (JsonNode v : array) {
      list.add(new ConnectedVisitor(str(v, "client_id"), v.path("connections").asInt()));
    }
    return list;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static BigDecimal seconds(Duration d) {
    return d == null ? null : BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros();
  }

  private static String str(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Integer integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || !v.canConvertToInt() ? null : v.intValue();
  }

  private static Duration duration(JsonNode seconds) {
    if (seconds == null || !seconds.isNumber()) {
      return null;
    }
    return Duration.ofNanos(seconds.decimalValue().movePointRight(9).longValue());
  }

  private static Instant instant(JsonNode n, String field) {
    String s = str(n, field);
    try {
      return s == null ? null : Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
