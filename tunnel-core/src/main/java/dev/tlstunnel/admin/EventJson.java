package dev.tlstunnel.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A listener event as JSON for the event stream: {@code type} is the record's name in snake_case
 * ({@code ProxyBound} → {@code proxy_bound}), then each component in snake_case; instants as
 * ISO-8601, durations in seconds, addresses as {@code host:port}, enums in lower case, records
 * nested, throwables left out.
 */
public final class EventJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private EventJson() {}

  public static ObjectNode of(Record event) {
    ObjectNode n = NODES.objectNode();
    n.put("type", snake(event.getClass().getSimpleName()));
    fields(event, n);
    return n;
  }

  private static void fields(Record r, ObjectNode n) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (!(v instanceof Throwable)) {
        n.set(snake(c.getName()), value(v));
      }
    }
  }

  private static JsonNode value(Object v) {
    if (v == null) {
      return NODES.nullNode();
    } else if (v instanceof Number num) {
      return num instanceof Double || num instanceof Float
          ? NODES.numberNode(num.doubleValue())
          : NODES.numberNode(num.longValue());
    } else if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (v instanceof Duration d) {
      return NODES.numberNode(d.toNanos() / 1e9);
    } else if (v instanceof Instant || v instanceof CharSequence) {
      return NODES.textNode(v.toString());
    } else if (v instanceof InetSocketAddress a) {
      return NODES.textNode(a.getHostString() + ":" + a.getPort());
    } else if (v instanceof Enum<?> e) {
      return NODES.textNode(e.name().toLowerCase(Locale.ROOT));
    } else if (v instanceof Record r) {
      ObjectNode n = NODES.objectNode();
      fields(r, n);
      return n;
    }
    return NODES.textNode(String.valueOf(v));
  }

  /** {@code proxyName} → {@code proxy_name}. */
  static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char ch = camel.charAt(i);
      if (Character.isUpperCase(ch)) {
        if (i > 0) {
          b.append('_');
        }
        b.append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }
}
