package dev.tlstunnel.reload;

import dev.tlstunnel.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The differences of one entry or setting, for a user: {@code max_retries 10 -> 20, password
 * changed}. Secrets are only said to have changed.
 */
final class Fields {
  private final List<String> parts = new ArrayList<>();

  /** Notes {@code key old -> new} when the values differ. */
  Fields add(String key, Object old, Object next) {
    if (!Objects.equals(old, next)) {
      parts.add(key + " " + show(old) + " -> " + show(next));
    }
    return this;
  }

  /** Notes {@code key changed} when the values differ, without showing them. */
  Fields secret(String key, Object old, Object next) {
    if (!Objects.equals(old, next)) {
      parts.add(key + " changed");
    }
    return this;
  }

  /** Notes {@code key changed} when the values differ (values too long to show). */
  Fields changed(String key, Object old, Object next) {
    return secret(key, old, next);
  }

  boolean isEmpty() {
    return parts.isEmpty();
  }

  /** The differences joined by {@code ", "}, or null when there is none. */
  String text() {
    return parts.isEmpty() ? null : String.join(", ", parts);
  }

  /** A value as a user writes it: durations as {@code 2s}, null as {@code none}. */
  static String show(Object value) {
    if (value == null) {
      return "none";
    }
    if (value instanceof Duration d) {
      return Durations.format(d);
    }
    return value.toString();
  }
}
