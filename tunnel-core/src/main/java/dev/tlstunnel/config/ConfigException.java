package dev.tlstunnel.config;

import java.util.List;

/** A configuration that cannot be used; every message names the key path it is about. */
public final class ConfigException extends Exception {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** Every problem found, one per entry, each starting with its key path. */
  public List<String> problems() {
    return problems;
  }
}
