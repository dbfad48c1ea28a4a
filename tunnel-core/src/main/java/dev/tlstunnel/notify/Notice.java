package dev.tlstunnel.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * One event to notify: its name ({@code proxy_unhealthy}, ...), when it happened, which side
 * reports it ({@code server} or {@code client}) and its facts, as the JSON body documented in
 * docs/API.md ("Fault notifications").
 */
public record Notice(String event, Instant time, String source, Map<String, Object> fields) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Notice {
    fields = Map.copyOf(fields);
  }

  /** {@code {"event":..,"time":..,"source":..,<fields>}}; null fields are left out. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", event);
    n.put("time", time.toString());
    n.put("source", source);
    new java.util.TreeMap<>(fields).forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
    return n.toString();
  }
}
