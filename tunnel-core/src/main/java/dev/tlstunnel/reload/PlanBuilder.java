package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Change;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.ReloadResult.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Collects the changes of a plan: entries compared by name, then settings compared by key. */
final class PlanBuilder {
  /** How the entries of one kind (proxies, forwarders, ...) compare. */
  interface EntryRules<T> {
    /** What an added entry is, for a user. */
    String added(T entry);

    /** What becomes of a removed entry's connections. */
    String removed(T entry);

    /** What changed of the entry's identity (its restart), or null when it is the same. */
    String identity(T old, T next);

    /** What changed that applies in place, or null. */
    String inPlace(T old, T next);

    /** What becomes of a restarted entry's open connections, appended to its detail. */
    String restarted(T old);
  }

  private final List<Change> changes = new ArrayList<>();

  /** Compares two lists of named entries; new order first, then the removed ones. */
  <T> PlanBuilder entries(
      Kind kind, List<T> old, List<T> next, Function<T, String> name, EntryRules<T> rules) {
    Map<String, T> before = new LinkedHashMap<>();
    old.forEach(e -> before.put(name.apply(e), e));
    Map<String, T> after = new LinkedHashMap<>();
    next.forEach(e -> after.put(name.apply(e), e));
    for (T entry : next) {
      String key = name.apply(entry);
      T was = before.get(key);
      if (was == null) {
        add(kind, key, Action.ADD, rules.added(entry));
      } else if (Objects.equals(was, entry)) {
        add(kind, key, Action.UNCHANGED, null);
      } else {
        String identity = rules.identity(was, entry);
        String inPlace = rules.inPlace(was, entry);
        if (identity != null) {
          String detail = inPlace == null ? identity : identity + ", " + inPlace;
          add(kind, key, Action.RESTART, detail + "; " + rules.restarted(was));
        } else {
          add(kind, key, Action.UPDATE, inPlace == null ? "in place" : inPlace);
        }
      }
    }
    for (T entry : old) {
      String key = name.apply(entry);
      if (!after.containsKey(key)) {
        add(kind, key, Action.REMOVE, rules.removed(entry));
      }
    }
    return this;
  }

  /** A setting whose value changes from {@code old} to {@code next}, shown. */
  PlanBuilder setting(String key, Object old, Object next, Action action, String note) {
    if (!Objects.equals(old, next)) {
      String detail = Fields.show(old) + " -> " + Fields.show(next);
      add(Kind.SETTING, key, action, note == null ? detail : detail + " (" + note + ")");
    }
    return this;
  }

  /** A setting that changed, whose values are not shown (a secret, or too long). */
  PlanBuilder hidden(String key, Object old, Object next, Action action, String note) {
    if (!Objects.equals(old, next)) {
      add(Kind.SETTING, key, action, note == null ? "changed" : "changed (" + note + ")");
    }
    return this;
  }

  PlanBuilder add(Kind kind, String name, Action action, String detail) {
    changes.add(new Change(kind, name, action, detail, Step.PLANNED));
    return this;
  }

  Plan build() {
    return new Plan(changes);
  }
}
