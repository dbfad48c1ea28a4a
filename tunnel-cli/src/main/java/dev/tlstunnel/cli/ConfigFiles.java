package dev.tlstunnel.cli;

import dev.tlstunnel.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks done on a config file path before the loader reads it. */
final class ConfigFiles {
  private ConfigFiles() {}

  /** Fails with one clear line when {@code file} is missing or not a readable file. */
  static Path requireReadable(Path file) throws ConfigException {
    if (!Files.exists(file)) {
      throw new ConfigException(file + ": no such file");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigException(file + ": not a readable file");
    }
    return file;
  }
}
