package dev.tlstunnel.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Loads and validates TOML configuration files. Every problem of a file is reported at once in one
 * {@link ConfigException}, each naming its key path; relative paths in a file resolve against the
 * file's directory.
 */
public final class ConfigLoader {
  private static final TomlMapper TOML = new TomlMapper();

  /** Which kind of configuration a file holds. */
  public enum Kind {
    SERVER,
    CLIENT
  }

  private ConfigLoader() {}

  /** Loads and validates a server configuration file; soft issues are logged at WARN. */
  public static ServerConfig loadServer(Path file) throws ConfigException {
    return loadServer(file, null);
  }

  /**
   * Loads and validates a server configuration file, handing each soft issue ({@code key: what}) to
   * {@code warnings} instead of the log (null: the log).
   */
  public static ServerConfig loadServer(Path file, Consumer<String> warnings)
      throws ConfigException {
    return server(read(file), baseDir(file), file.toString(), System::getenv, file, warnings);
  }

  /** Loads and validates a client configuration file; soft issues are logged at WARN. */
  public static ClientConfig loadClient(Path file) throws ConfigException {
    return loadClient(file, null);
  }

  /** Like {@link #loadServer(Path, Consumer)}, for a client configuration file. */
  public static ClientConfig loadClient(Path file, Consumer<String> warnings)
      throws ConfigException {
    return client(read(file), baseDir(file), file.toString(), System::getenv, file, warnings);
  }

  /** Parses and validates server TOML; relative paths resolve against {@code baseDir}. */
  public static ServerConfig parseServer(String toml, Path baseDir) throws ConfigException {
    return server(toml, baseDir, "<config>", System::getenv, null, null);
  }

  /** Like {@link #parseServer(String, Path)}, reading environment variables from {@code env}. */
  static ServerConfig parseServer(String toml, Path baseDir, UnaryOperator<String> env)
      throws ConfigException {
    return server(toml, baseDir, "<config>", env, null, null);
  }

  /** Parses and validates client TOML; relative paths resolve against {@code baseDir}. */
  public static ClientConfig parseClient(String toml, Path baseDir) throws ConfigException {
    return client(toml, baseDir, "<config>", System::getenv, null, null);
  }

  /** Like {@link #parseClient(String, Path)}, reading environment variables from {@code env}. */
  static ClientConfig parseClient(String toml, Path baseDir, UnaryOperator<String> env)
      throws ConfigException {
    return client(toml, baseDir, "<config>", env, null, null);
  }

  /** Tells a server file ({@code [server]}) from a client file ({@code [client]}). */
  public static Kind detect(Path file) throws ConfigException {
    JsonNode root = parse(read(file), file.toString());
    boolean server = root.has("server");
    boolean client = root.has("client");
    if (server && client) {
      throw new ConfigException(
          file + ": has both [server] and [client]; a file configures one side");
    }
    if (!server && !client) {
      throw new ConfigException(file + ": neither [server] nor [client] found");
    }
    return server ? Kind.SERVER : Kind.CLIENT;
  }

  private static ServerConfig server(
      String toml,
      Path baseDir,
      String source,
      UnaryOperator<String> env,
      Path file,
      Consumer<String> warnings)
      throws ConfigException {
    JsonNode root = parse(toml, source);
    rejectOtherKind(root, "client", "server", source);
    Problems problems = new Problems();
    warnIfReadableByOthers(file, problems);
    ServerConfig mapped = TomlMapping.server(root, baseDir, problems, env);
    ServerConfig checked = mapped == null ? null : ConfigValidator.check(mapped, problems, true);
    problems.throwOrWarn(warnings);
    return checked;
  }

  private static ClientConfig client(
      String toml,
      Path baseDir,
      String source,
      UnaryOperator<String> env,
      Path file,
      Consumer<String> warnings)
      throws ConfigException {
    JsonNode root = parse(toml, source);
    rejectOtherKind(root, "server", "client", source);
    Problems problems = new Problems();
    warnIfReadableByOthers(file, problems);
    ClientConfig mapped = TomlMapping.client(root, baseDir, problems, env);
    ClientConfig checked = mapped == null ? null : ConfigValidator.check(mapped, problems, true);
    problems.throwOrWarn(warnings);
    return checked;
  }

  private static void rejectOtherKind(JsonNode root, String other, String wanted, String source)
      throws ConfigException {
    if (root.has(other) && !root.has(wanted)) {
      throw new ConfigException(
          source
              + ": this is a "
              + other
              + " configuration (["
              + other
              + "]); expected ["
              + wanted
              + "]");
    }
  }

  private static JsonNode parse(String toml, String source) throws ConfigException {
    try {
      JsonNode root = TOML.readTree(toml);
      return root == null || !root.isObject() ? JsonNodeFactory.instance.objectNode() : root;
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr() + ":";
      throw new ConfigException(source + ":" + where + " invalid TOML: " + e.getOriginalMessage());
    }
  }

  private static String read(Path file) throws ConfigException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": file not found: " + file.toAbsolutePath());
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e);
    }
  }

  private static void warnIfReadableByOthers(Path file, Problems problems) {
    if (file != null && Secrets.readableByOthers(file)) {
      problems.warn(
          file.toString(),
          "config file is readable by group or others and may hold the auth key;"
              + " restrict it (chmod 600)");
    }
  }

  private static Path baseDir(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of("").toAbsolutePath() : parent;
  }
}
