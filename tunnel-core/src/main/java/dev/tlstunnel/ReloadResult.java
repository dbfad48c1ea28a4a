package dev.tlstunnel;

import java.util.List;
import java.util.Locale;

/**
 * What a reload of the configuration does, or did: the plan (one {@link Change} per proxy and
 * forwarder, and per setting that differs), what became of each step, and the outcome. A reload
 * applies every change or none: when a step fails, the steps already applied are undone.
 *
 * @param outcome how it ended
 * @param changes in order: proxies, forwarders, then settings; proxies and forwarders that stay as
 *     they were are listed as {@link Action#UNCHANGED}
 * @param message one line for a user; for a refused file, one line per problem, each naming its key
 */
public record ReloadResult(Outcome outcome, List<Change> changes, String message) {

  public ReloadResult {
    changes = List.copyOf(changes);
  }

  /** How a reload ended. */
  public enum Outcome {
    /** A dry run: the plan only, nothing was changed. */
    PLANNED,
    /** Every change was applied. */
    APPLIED,
    /** The new configuration is the running one: nothing to do. */
    UNCHANGED,
    /** Nothing was applied: the file is invalid, or a change cannot be made while running. */
    REFUSED,
    /** A step failed; the steps applied before it were undone, the configuration is the old one. */
    ROLLED_BACK;

    /** {@code planned}, {@code applied}, ..., {@code rolled_back}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the running configuration is the new one (or already was). */
    public boolean succeeded() {
      return this == APPLIED || this == UNCHANGED;
    }
  }

  /** What a change is about. */
  public enum Kind {
    PROXY,
    FORWARDER,
    SETTING;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a change does. */
  public enum Action {
    /** A new proxy or forwarder. */
    ADD,
    /** A proxy or forwarder that is gone; its open connections may finish for shutdown_grace. */
    REMOVE,
    /** Changed in place: nothing is rebound and no connection is cut. */
    UPDATE,
    /**
     * Started anew (its identity changed: publish or listen address, local target): new connections
     * get the new definition, open ones may finish for shutdown_grace.
     */
    RESTART,
    /** A setting of the session with the server: applied by a graceful reconnect. */
    RECONNECT,
    /** A setting that cannot change while running: the whole reload is refused. */
    REFUSED,
    /** Stays as it is. */
    UNCHANGED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What became of one change. */
  public enum Step {
    /** Not carried out (a dry run, a refused reload, or a reload that failed before it). */
    PLANNED,
    /** Carried out and kept. */
    APPLIED,
    /** Carried out, then undone because a later step failed. */
    UNDONE,
    /** The step that failed; {@link Change#detail()} says why. */
    FAILED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One entry of the plan.
   *
   * @param kind a proxy, a forwarder or a setting
   * @param name the proxy's or forwarder's name, or the setting's key ({@code client.auth_key},
   *     {@code server.limits.connection_rate})
   * @param action what the change does
   * @param detail what changes, for a user ({@code publish 0.0.0.0:8081 -> 0.0.0.0:8082}); secrets
   *     are never shown; for a failed step, why it failed
   * @param step what became of it
   */
  public record Change(Kind kind, String name, Action action, String detail, Step step) {
    /** This change with another step (and the detail, when {@code why} is not null). */
    public Change with(Step newStep, String why) {
      return new Change(kind, name, action, why == null ? detail : why, newStep);
    }
  }

  /** The changes that do something (every action but {@link Action#UNCHANGED}). */
  public List<Change> effective() {
    return changes.stream().filter(c -> c.action() != Action.UNCHANGED).toList();
  }
}
