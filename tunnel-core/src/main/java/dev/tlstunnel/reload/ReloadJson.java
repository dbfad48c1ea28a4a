package dev.tlstunnel.reload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tlstunnel.ReloadResult;

/**
 * The JSON form of a {@link ReloadResult}, as {@code POST /api/reload} answers it: {@code outcome},
 * {@code message} and {@code changes}, each with {@code kind}, {@code name}, {@code action}, {@code
 * detail} and {@code step}; names in lower case, absent values {@code null}.
 */
public final class ReloadJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReloadJson() {}

  public static String write(ReloadResult result) {
    ObjectNode root = JSON.createObjectNode();
    root.put("outcome", result.outcome().wireName());
    root.put("message", result.message());
    ArrayNode changes = root.putArray("changes");
    for (ReloadResult.Change c : result.changes()) {
      ObjectNode n = changes.addObject();
      n.put("kind", c.kind().wireName());
      n.put("name", c.name());
      n.put("action", c.action().wireName());
      n.put("detail", c.detail());
      n.put("step", c.step().wireName());
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a reload result", e);
    }
  }
}
