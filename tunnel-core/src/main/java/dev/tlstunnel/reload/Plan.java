package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Change;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.ReloadResult.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a new configuration changes compared with the running one, entry by entry (proxies,
 * forwarders) and setting by setting. Made by {@link ClientPlan} and {@link ServerPlan}; the
 * facades carry it out. Immutable.
 */
public final class Plan {
  private final List<Change> changes;

  Plan(List<Change> changes) {
    this.changes = List.copyOf(changes);
  }

  public List<Change> changes() {
    return changes;
  }

  /** The names of the entries of {@code kind} with one of {@code actions}, in plan order. */
  public Set<String> names(Kind kind, Action... actions) {
    Set<Action> wanted = Set.of(actions);
    Set<String> names = new java.util.LinkedHashSet<>();
    for (Change c : changes) {
      if (c.kind() == kind && wanted.contains(c.action())) {
        names.add(c.name());
      }
    }
    return names;
  }

  /** Whether any change has {@code action}. */
  public boolean has(Action action) {
    return changes.stream().anyMatch(c -> c.action() == action);
  }

  /** Whether nothing changes. */
  public boolean isEmpty() {
    return changes.stream().allMatch(c -> c.action() == Action.UNCHANGED);
  }

  /** The changes that cannot be made while running, as {@code key: why} lines. */
  public List<String> refusals() {
    List<String> lines = new ArrayList<>();
    for (Change c : changes) {
      if (c.action() == Action.REFUSED) {
        lines.add(c.name() + ": " + c.detail());
      }
    }
    return lines;
  }

  /** The plan as a result: every step {@code PLANNED}. */
  public ReloadResult result(Outcome outcome, String message) {
    return new ReloadResult(outcome, changes, message);
  }

  /** {@code 1 proxy added, 2 updated, reconnect}: what the plan does, in a few words. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    count(parts, Action.ADD, "added");
    count(parts, Action.REMOVE, "removed");
    count(parts, Action.RESTART, "restarted");
    count(parts, Action.UPDATE, "updated");
    if (has(Action.RECONNECT)) {
      parts.add("a graceful reconnect");
    }
    return parts.isEmpty() ? "no change" : String.join(", ", parts);
  }

  private void count(List<String> parts, Action action, String verb) {
    long n = changes.stream().filter(c -> c.action() == action).count();
    if (n > 0) {
      parts.add(n + " " + verb);
    }
  }
}
