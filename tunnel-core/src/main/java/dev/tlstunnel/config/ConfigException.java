package dev.tlstunnel.config;

import java.util.List;

/**
 * A configuration that cannot be used. Every problem names the key path it is about ({@code
 * proxies[2].publish_port: must be between 1 and 65535, got 0}); {@link #details()} gives the key
 * and the message apart, for programs that map keys to their own words (command-line options).
 */
public final class ConfigException extends Exception {
  private final transient List<Problem> details;

  /**
   * One problem.
   *
   * @param key the key path ({@code proxies[2].publish_port}), a file, or null when the problem is
   *     about no key
   * @param message what is wrong with it
   */
  public record Problem(String key, String message) {
    /** {@code key: message}, or the message alone. */
    @Override
    public String toString() {
      return key == null ? message : key + ": " + message;
    }
  }

  public ConfigException(List<Problem> problems) {
    super(String.join("; ", problems.stream().map(Problem::toString).toList()));
    this.details = List.copyOf(problems);
  }

  /** A single problem about no particular key (it says what it is about itself). */
  public ConfigException(String problem) {
    this(List.of(new Problem(null, problem)));
  }

  /** Every problem found, one per entry, each starting with its key path. */
  public List<String> problems() {
    return details.stream().map(Problem::toString).toList();
  }

  /** Every problem found, with its key apart from its message. */
  public List<Problem> details() {
    return details;
  }
}
