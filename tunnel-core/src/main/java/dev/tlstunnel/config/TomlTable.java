package dev.tlstunnel.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed, problem-collecting access to one TOML table. Getters return null when the key is absent or
 * its value has the wrong type (the latter recorded as a problem naming the key path and the
 * expected type). Unknown keys are reported when the table is opened.
 */
final class TomlTable {
  private final JsonNode node;
  private final String path;
  private final Problems problems;

  private TomlTable(JsonNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /**
   * Opens {@code node} as a table at {@code path}, reporting keys not in {@code validKeys} (null:
   * any key is valid, for tables keyed by names).
   */
  static TomlTable open(JsonNode node, String path, Problems problems, List<String> validKeys) {
    TomlTable table = new TomlTable(node, path, problems);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (validKeys != null && !validKeys.contains(key)) {
        problems.error(table.keyPath(key), "unknown key (" + suggest(key, validKeys) + ")");
      }
    }
    return table;
  }

  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return node.has(key);
  }

  /** Whether {@code key} holds an array. */
  boolean isArray(String key) {
    return node.has(key) && node.get(key).isArray();
  }

  /** Records a problem about {@code key} of this table. */
  void error(String key, String message) {
    problems.error(keyPath(key), message);
  }

  /** Records a soft issue about {@code key} of this table. */
  void warn(String key, String message) {
    problems.warn(keyPath(key), message);
  }

  /** Reports each of {@code keys} that is absent. */
  void require(String... keys) {
    for (String key : keys) {
      if (!node.has(key)) {
        problems.error(keyPath(key), "missing required key");
      }
    }
  }

  String string(String key) {
    JsonNode v = value(key);
    return v == null || !v.isTextual() ? wrongType(key, v, "a string") : v.textValue();
  }

  Integer integer(String key) {
    JsonNode v = value(key);
    if (v == null || !v.isIntegralNumber()) {
      return wrongType(key, v, "an integer");
    }
    if (!v.canConvertToInt()) {
      problems.error(keyPath(key), "must be a 32-bit integer, got " + v.asText());
      return null;
    }
    return v.intValue();
  }

  Boolean bool(String key) {
    JsonNode v = value(key);
    return v == null || !v.isBoolean() ? wrongType(key, v, "a boolean") : v.booleanValue();
  }

  Duration duration(String key) {
    JsonNode v = value(key);
    if (v == null || !v.isTextual()) {
      return wrongType(key, v, "a duration string such as \"2s\" or \"250ms\"");
    }
    try {
      return Durations.parse(v.textValue());
    } catch (IllegalArgumentException e) {
      problems.error(keyPath(key), e.getMessage());
      return null;
    }
  }

  /** An array of strings, or null when absent or not one (reported). */
  List<String> stringList(String key) {
    JsonNode v = value(key);
    if (v == null || !v.isArray()) {
      return wrongType(key, v, "an array of strings");
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        problems.error(
            keyPath(key) + "[" + i + "]", "expected a string, got " + typeName(v.get(i)));
        return null;
      }
      items.add(v.get(i).textValue());
    }
    return items;
  }

  /** A table of string values, in key order, or null when absent or not one (reported). */
  Map<String, String> stringMap(String key) {
    JsonNode v = value(key);
    if (v == null || !v.isObject()) {
      return wrongType(key, v, "a table of strings");
    }
    Map<String, String> items = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isTextual()) {
        problems.error(
            keyPath(key) + "." + e.getKey(), "expected a string, got " + typeName(e.getValue()));
        return null;
      }
      items.put(e.getKey(), e.getValue().textValue());
    }
    return items;
  }

  /** A file path, resolved against {@code baseDir} when relative. */
  Path path(String key, Path baseDir) {
    String s = string(key);
    if (s == null) {
      return null;
    }
    if (s.isBlank()) {
      problems.error(keyPath(key), "must not be empty");
      return null;
    }
    return baseDir.resolve(s).toAbsolutePath().normalize();
  }

  /** An array of strings; null (the problem recorded) when it holds anything else. */
  List<String> strings(String key) {
    JsonNode v = value(key);
    if (v == null || !v.isArray()) {
      return wrongType(key, v, "an array of strings");
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        problems.error(
            keyPath(key) + "[" + i + "]", "expected a string, got " + typeName(v.get(i)));
        return null;
      }
      values.add(v.get(i).textValue());
    }
    return values;
  }

  /**
   * An optional array of strings (integers are taken as their text, for lists of ports), empty when
   * absent; a wrong type is recorded and gives an empty list.
   */
  List<String> stringsOrNumbers(String key) {
    JsonNode v = value(key);
    List<String> out = new ArrayList<>();
    if (v == null || !v.isArray()) {
      wrongType(key, v, "an array of strings");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      JsonNode item = v.get(i);
      if (item.isTextual() || item.isIntegralNumber()) {
        out.add(item.asText());
      } else {
        problems.error(keyPath(key) + "[" + i + "]", "expected a string, got " + typeName(item));
      }
    }
    return out;
  }

  /** The keys of this table, in file order. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** An optional sub-table, or null when absent or not a table. */
  TomlTable table(String key, List<String> validKeys) {
    JsonNode v = value(key);
    if (v == null || !v.isObject()) {
      return wrongType(key, v, "a table");
    }
    return open(v, keyPath(key), problems, validKeys);
  }

  /** An optional array of tables ({@code [[key]]}), empty when absent. */
  List<TomlTable> tableArray(String key, List<String> validKeys) {
    JsonNode v = value(key);
    List<TomlTable> tables = new ArrayList<>();
    if (v == null || !v.isArray()) {
      wrongType(key, v, "an array of tables ([[" + key + "]])");
      return tables;
    }
    for (int i = 0; i < v.size(); i++) {
      String itemPath = keyPath(key) + "[" + i + "]";
      if (v.get(i).isObject()) {
        tables.add(open(v.get(i), itemPath, problems, validKeys));
      } else {
        problems.error(itemPath, "expected a table, got " + typeName(v.get(i)));
        tables.add(new TomlTable(v.get(i), itemPath, problems));
      }
    }
    return tables;
  }

  private JsonNode value(String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  private <T> T wrongType(String key, JsonNode v, String expected) {
    if (v != null) {
      problems.error(keyPath(key), "expected " + expected + ", got " + typeName(v));
    }
    return null;
  }

  static String typeName(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    } else if (v.isIntegralNumber()) {
      return "integer";
    } else if (v.isNumber()) {
      return "float";
    } else if (v.isBoolean()) {
      return "boolean";
    } else if (v.isObject()) {
      return "table";
    } else if (v.isArray()) {
      return "array";
    }
    return v.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** "did you mean x?" for a close valid key, else the list of valid keys. */
  static String suggest(String key, List<String> validKeys) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : validKeys) {
      int d = levenshtein(key, candidate);
      if (d < bestDistance && d <= Math.max(2, Math.max(key.length(), candidate.length()) / 2)) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null) {
      return "did you mean " + best + "?";
    }
    return "valid keys: " + String.join(", ", validKeys);
  }

  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
