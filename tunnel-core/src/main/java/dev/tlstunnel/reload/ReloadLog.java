package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.ReloadResult.Change;
import org.slf4j.Logger;

/**
 * The log of a reload, once, where it happened: one line for the outcome, then one per change that
 * does something ({@code proxy 'web': restart, publish ... [applied]}). A successful reload logs at
 * INFO, a refused or rolled-back one at WARN.
 */
public final class ReloadLog {
  private ReloadLog() {}

  /** Whether {@code result} went as asked: applied, unchanged, or (a dry run) planned. */
  static boolean ok(ReloadResult result) {
    return result.outcome().succeeded() || result.outcome() == ReloadResult.Outcome.PLANNED;
  }

  /**
   * @param what {@code server.toml}, or {@code the configuration} when it came from code
   */
  public static void log(Logger log, String what, ReloadResult result) {
    boolean ok = ok(result);
    String head =
        switch (result.outcome()) {
          case APPLIED -> "Reloaded " + what + ": " + result.message();
          case UNCHANGED -> "Reloaded " + what + ": no change";
          case PLANNED -> "Reload plan of " + what + " (nothing changed): " + result.message();
          case REFUSED -> "Reload of " + what + " refused, nothing changed: " + result.message();
          case ROLLED_BACK -> "Reload of " + what + " rolled back: " + result.message();
        };
    if (ok) {
      log.info("{}", head);
    } else {
      log.warn("{}", head);
    }
    if (result.outcome() == ReloadResult.Outcome.REFUSED) {
      return;
    }
    for (Change c : result.effective()) {
      String line = "  " + line(c);
      if (ok) {
        log.info("{}", line);
      } else {
        log.warn("{}", line);
      }
    }
  }

  /** {@code proxy 'web': restart, publish ... [applied]}; a setting by its key. */
  public static String line(Change c) {
    String subject =
        c.kind() == ReloadResult.Kind.SETTING
            ? c.name()
            : c.kind().wireName() + " '" + c.name() + "'";
    return subject
        + ": "
        + c.action().wireName()
        + (c.detail() == null ? "" : ", " + c.detail())
        + " ["
        + c.step().wireName()
        + "]";
  }
}
