package dev.tlstunnel.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects every problem of one configuration, each prefixed with its key path, and the soft issues
 * to log at WARN. A key path gets at most one error: when reading a key failed (missing, wrong
 * type), the validator's later complaint about the same key, or about keys inside it, is dropped.
 */
final class Problems {
  private static final Logger log = LoggerFactory.getLogger(ConfigValidator.class);

  private final List<ConfigException.Problem> errors = new ArrayList<>();
  private final Set<String> reportedPaths = new HashSet<>();
  private final List<String> warnings = new ArrayList<>();

  /** Records an error about {@code path}, unless one was recorded about it or a parent already. */
  void error(String path, String message) {
    for (String reported : reportedPaths) {
      if (path.startsWith(reported + ".") || path.startsWith(reported + "[")) {
        return;
      }
    }
    if (reportedPaths.add(path)) {
      errors.add(new ConfigException.Problem(path, message));
    }
  }

  /** Whether an error was recorded about {@code path}. */
  boolean hasError(String path) {
    return reportedPaths.contains(path);
  }

  /** Whether an error was recorded about {@code path} or anything inside it. */
  boolean hasErrorWithin(String path) {
    for (String reported : reportedPaths) {
      if (reported.equals(path)
          || reported.startsWith(path + ".")
          || reported.startsWith(path + "[")) {
        return true;
      }
    }
    return false;
  }

  /** Records a soft issue that was corrected. */
  void warn(String path, String message) {
    warnings.add(path + ": " + message);
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  /** Throws every error at once, or logs the warnings when there is none. */
  void throwOrWarn() throws ConfigException {
    throwOrWarn(null);
  }

  /**
   * Throws every error at once, or hands each warning to {@code sink} when there is none (null:
   * logs them at WARN).
   */
  void throwOrWarn(Consumer<String> sink) throws ConfigException {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    warnings.forEach(sink != null ? sink : w -> log.warn("{}", w));
  }
}
