package dev.tlstunnel.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where a secret comes from: {@code auth_key} (inline), {@code auth_key_file} (a file, its trailing
 * newline dropped) or {@code auth_key_env} (an environment variable); exactly one. The same three
 * forms serve the visitor secrets ({@code secret}, {@code secret_file}, {@code secret_env}). The
 * secret itself never appears in a message.
 */
final class Secrets {
  static final String INLINE = "auth_key";
  static final String FILE = "auth_key_file";
  static final String ENV = "auth_key_env";

  private Secrets() {}

  /** The key named by {@code t}, or null when it cannot be had (the problem is recorded). */
  static String authKey(TomlTable t, Path baseDir, UnaryOperator<String> env) {
    if (!t.has(INLINE) && !t.has(FILE) && !t.has(ENV)) {
      t.error(INLINE, "missing required key");
      return null;
    }
    return read(t, baseDir, env, INLINE);
  }

  /**
   * The secret of the keys {@code name}, {@code name_file} and {@code name_env} of {@code t}; null
   * when none is given or it cannot be had (the latter recorded as a problem).
   */
  static String read(TomlTable t, Path baseDir, UnaryOperator<String> env, String name) {
    String fileKey = name + "_file";
    String envKey = name + "_env";
    int given = (t.has(name) ? 1 : 0) + (t.has(fileKey) ? 1 : 0) + (t.has(envKey) ? 1 : 0);
    if (given == 0) {
      return null;
    }
    if (given > 1) {
      String key = t.has(fileKey) ? fileKey : envKey;
      t.error(key, "set only one of " + name + ", " + fileKey + " and " + envKey);
      return null;
    }
    if (t.has(name)) {
      return t.string(name);
    }
    if (t.has(fileKey)) {
      return fromFile(t, fileKey, t.path(fileKey, baseDir));
    }
    String variable = t.string(envKey);
    if (variable == null) {
      return null;
    }
    String value = env.apply(variable);
    if (value == null) {
      t.error(envKey, "environment variable " + variable + " is not set");
      return null;
    }
    if (value.isEmpty()) {
      t.error(envKey, "environment variable " + variable + " is empty");
      return null;
    }
    return value;
  }

  private static String fromFile(TomlTable t, String key, Path file) {
    if (file == null) {
      return null;
    }
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      t.error(key, "not valid UTF-8: " + file);
      return null;
    } catch (IOException e) {
      t.error(key, "cannot read " + file + ": " + e.getClass().getSimpleName());
      return null;
    }
    if (content.endsWith("\n")) {
      content = content.substring(0, content.length() - 1);
      if (content.endsWith("\r")) {
        content = content.substring(0, content.length() - 1);
      }
    }
    if (content.isEmpty()) {
      t.error(key, "file is empty: " + file);
      return null;
    }
    if (readableByOthers(file)) {
      t.warn(key, file + " is readable by group or others; restrict it (chmod 600)");
    }
    return content;
  }

  /**
   * Whether a file's POSIX permissions let group or others read it; false on file systems without
   * POSIX permissions or when they cannot be read.
   */
  static boolean readableByOthers(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      return perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ);
    } catch (UnsupportedOperationException | IOException e) {
      return false;
    }
  }
}
