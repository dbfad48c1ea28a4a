package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Change;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.reload.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The results a client's reload ends with: applied, rolled back, or a reconnect that failed. */
final class ReloadOutcomes {
  private ReloadOutcomes() {}

  /** Every change applied. */
  static ReloadResult applied(Plan plan, String message) {
    return new ReloadResult(
        Outcome.APPLIED,
        plan.changes().stream()
            .map(c -> c.action() == Action.UNCHANGED ? c : c.with(ReloadResult.Step.APPLIED, null))
            .toList(),
        message);
  }

  /**
   * The server refused some of the proxies {@code sent}: those it accepted were undone, the refused
   * ones failed; nothing else was carried out.
   */
  static ReloadResult rolledBack(
      Plan plan, RegistrationRound round, Set<String> sent, List<String> rejected) {
    List<Change> changes = new ArrayList<>();
    for (Change c : plan.changes()) {
      if (c.kind() == Kind.PROXY && round.results().containsKey(c.name())) {
        changes.add(
            round.accepted(c.name())
                ? c.with(ReloadResult.Step.UNDONE, null)
                : c.with(
                    ReloadResult.Step.FAILED,
                    "rejected by the server: " + round.results().get(c.name()).reason()));
      } else if (c.kind() == Kind.PROXY && sent.contains(c.name())) {
        changes.add(c.with(ReloadResult.Step.FAILED, "the server did not answer"));
      } else {
        changes.add(c);
      }
    }
    return new ReloadResult(
        Outcome.ROLLED_BACK,
        changes,
        "the server refused "
            + String.join("; ", rejected)
            + "; what it had accepted was undone, the previous configuration stays");
  }

  /** The new session did not come up: the previous one and its configuration stay. */
  static ReloadResult reconnectFailed(Plan plan, Failure failure) {
    List<Change> changes =
        plan.changes().stream()
            .map(
                c ->
                    c.action() == Action.RECONNECT
                        ? c.with(ReloadResult.Step.FAILED, failure.message())
                        : c)
            .toList();
    return new ReloadResult(
        Outcome.ROLLED_BACK,
        changes,
        "a new session with the reloaded settings did not come up ("
            + failure.message()
            + "); the previous session and configuration stay");
  }
}
