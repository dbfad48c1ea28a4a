package dev.tlstunnel.config;

import java.nio.file.Path;

/** Loads and validates TOML configuration files. */
public final class ConfigLoader {

  /** Which kind of configuration a file holds. */
  public enum Kind {
    SERVER,
    CLIENT
  }

  private ConfigLoader() {}

  /** Loads and validates a server configuration file. */
  public static ServerConfig loadServer(Path file) throws ConfigException {
    throw new UnsupportedOperationException("not yet");
  }

  /** Loads and validates a client configuration file. */
  public static ClientConfig loadClient(Path file) throws ConfigException {
    throw new UnsupportedOperationException("not yet");
  }

  /** Tells a server file ({@code [server]}) from a client file ({@code [client]}). */
  public static Kind detect(Path file) throws ConfigException {
    throw new UnsupportedOperationException("not yet");
  }
}
