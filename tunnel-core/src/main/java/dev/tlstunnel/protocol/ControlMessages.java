package dev.tlstunnel.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The control messages' JSON form: a {@code "type"} field naming the message, then its fields in
 * snake_case. Decoding checks every bound and never puts a value (such as the auth key) in an
 * exception message.
 */
final class ControlMessages {
  private static final ObjectMapper MAPPER = ControlJson.newMapper();
  private static final Map<String, Class<? extends ControlMessage>> BY_TYPE =
      Map.ofEntries(
          Map.entry("client_hello", ClientHello.class),
          Map.entry("auth_result", AuthResult.class),
          Map.entry("register_proxies", RegisterProxies.class),
          Map.entry("proxy_registration_result", ProxyRegistrationResult.class),
          Map.entry("proxy_status_update", ProxyStatusUpdate.class),
          Map.entry("heartbeat", Heartbeat.class),
          Map.entry("retry_proxy", RetryProxy.class),
          Map.entry("retry_proxy_result", RetryProxyResult.class),
          Map.entry("session_replaced", SessionReplaced.class),
          Map.entry("unregister_proxies", UnregisterProxies.class),
          Map.entry("visit_nonce", VisitNonce.class),
          Map.entry("proxy_health", ProxyHealth.class),
          Map.entry("group_status", GroupStatus.class));

  private ControlMessages() {}

  /** The wire name of a message's type, e.g. {@code client_hello}. */
  static String typeOf(ControlMessage message) {
    if (message instanceof ControlMessage.Unknown unknown) {
      return unknown.type();
    }
    for (Map.Entry<String, Class<? extends ControlMessage>> e : BY_TYPE.entrySet()) {
      if (e.getValue() == message.getClass()) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("no wire type for " + message.getClass().getName());
  }

  static void write(ControlMessage message, OutputStream out) throws IOException {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("type", typeOf(message));
    if (!(message instanceof ControlMessage.Unknown)) {
      node.setAll((ObjectNode) MAPPER.valueToTree(message));
    }
    MAPPER.writeValue(out, node);
  }

  /**
   * Decodes one message; unknown types become {@link ControlMessage.Unknown}.
   *
   * @throws DecoderException for malformed JSON, a missing type, wrong field types or exceeded
   *     bounds
   */
  static ControlMessage read(InputStream in) {
    JsonNode tree = parse(in, "control message");
    if (tree == null || tree.isMissingNode()) {
      throw new DecoderException("empty control message");
    }
    if (!tree.isObject()) {
      throw new DecoderException("control message is not a JSON object");
    }
    JsonNode typeNode = tree.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw new DecoderException("control message without a string \"type\" field");
    }
    String type = typeNode.textValue();
    checkBounds(tree, "", "control message " + type);
    Class<? extends ControlMessage> cls = BY_TYPE.get(type);
    if (cls == null) {
      return new ControlMessage.Unknown(type);
    }
    try {
      return MAPPER.treeToValue(tree, cls);
    } catch (IOException | IllegalArgumentException e) {
      throw new DecoderException(describe("control message " + type, e));
    }
  }

  /**
   * Parses one JSON document with the protocol's bounds; a bound that is hit names the field.
   *
   * @return the tree, or null for empty input
   */
  static JsonNode parse(InputStream in, String what) {
    JsonParser parser = null;
    try {
      parser = MAPPER.createParser(in);
      return MAPPER.readTree(parser);
    } catch (MismatchedInputException e) {
      // the only mapping failure of a tree read: FAIL_ON_TRAILING_TOKENS
      throw new DecoderException(what + ": unexpected data after the JSON value");
    } catch (StreamConstraintsException e) {
      String field = parser == null ? "" : fieldPath(parser.getParsingContext());
      throw new DecoderException(
          what
              + (field.isEmpty() ? "" : ": field '" + field + "'")
              + " exceeds a limit: "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DecoderException(describe(what, e));
    } finally {
      closeQuietly(parser);
    }
  }

  private static void closeQuietly(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException ignored) {
        // nothing was written; nothing to lose
      }
    }
  }

  /** Rejects strings longer than MAX_STRING_LENGTH and arrays longer than MAX_PROXIES. */
  static void checkBounds(JsonNode node, String path, String what) {
    if (node.isTextual() && node.textValue().length() > Protocol.MAX_STRING_LENGTH) {
      throw new DecoderException(
          what
              + ": field '"
              + path
              + "' is longer than "
              + Protocol.MAX_STRING_LENGTH
              + " characters ("
              + node.textValue().length()
              + ")");
    } else if (node.isArray()) {
      if (node.size() > Protocol.MAX_PROXIES) {
        throw new DecoderException(
            what
                + ": field '"
                + path
                + "' has "
                + node.size()
                + " entries, more than "
                + Protocol.MAX_PROXIES);
      }
      for (int i = 0; i < node.size(); i++) {
        checkBounds(node.get(i), path + "[" + i + "]", what);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkBounds(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), what);
      }
    }
  }

  /** The dotted path of the value being parsed, e.g. {@code proxies[3].name}. */
  private static String fieldPath(JsonStreamContext context) {
    String path = "";
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        path = "[" + Math.max(0, c.getCurrentIndex()) + "]" + path;
      } else if (c.getCurrentName() != null) {
        path = c.getCurrentName() + (path.isEmpty() || path.startsWith("[") ? "" : ".") + path;
      }
    }
    return path;
  }

  /** A message about a JSON failure that names the place or field, never a value. */
  static String describe(String what, Exception e) {
    if (e instanceof JsonMappingException d) {
      StringBuilder field = new StringBuilder();
      for (JsonMappingException.Reference ref : d.getPath()) {
        if (ref.getFieldName() != null) {
          field.append(field.length() == 0 ? "" : ".").append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          field.append('[').append(ref.getIndex()).append(']');
        }
      }
      return field.length() == 0
          ? what + ": invalid content"
          : what + ": invalid value for field '" + field + "'";
    }
    if (e instanceof JsonProcessingException p && p.getLocation() != null) {
      JsonLocation at = p.getLocation();
      return what + ": malformed JSON at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
    return what + ": unreadable (" + e.getClass().getSimpleName() + ")";
  }
}
