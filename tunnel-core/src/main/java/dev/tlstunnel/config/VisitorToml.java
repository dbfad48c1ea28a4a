package dev.tlstunnel.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Maps the visitor keys of a client file: {@code [[visitors]]} tables and the private-proxy keys of
 * {@code [[proxies]]} ({@code visibility}, {@code allowed_visitors}, {@code secret}...). Like
 * {@link TomlMapping}, it reports unknown keys, wrong types and keys that do not belong together,
 * and leaves value rules to {@link VisitorConfigCheck}.
 */
final class VisitorToml {
  /** The keys a {@code [[proxies]]} table may have besides those of a public proxy. */
  static final List<String> PRIVATE_PROXY_KEYS =
      List.of("visibility", "allowed_visitors", "secret", "secret_file", "secret_env");

  static final List<String> VISITOR_KEYS =
      List.of(
          "name",
          "target",
          "bind_addr",
          "bind_port",
          "secret",
          "secret_file",
          "secret_env",
          "bind_retry");

  private static final List<String> PRIVATE_ONLY =
      List.of("allowed_visitors", "secret", "secret_file", "secret_env");
  private static final List<String> PUBLIC_ONLY =
      List.of("publish_addr", "publish_port", "bind_retry");

  private VisitorToml() {}

  /** The private part of a {@code [[proxies]]} table, or null for a public proxy. */
  static PrivateProxyConfig privateAccess(TomlTable t, Path baseDir, UnaryOperator<String> env) {
    String visibility = t.string("visibility");
    if (t.has("visibility") && visibility == null) {
      return null; // wrong type, already reported
    }
    boolean isPrivate = "private".equals(visibility);
    if (visibility != null && !isPrivate && !"public".equals(visibility)) {
      t.error("visibility", "must be \"public\" or \"private\", got '" + visibility + "'");
      return null;
    }
    if (!isPrivate) {
      for (String key : PRIVATE_ONLY) {
        if (t.has(key)) {
          t.error(key, "only for a private proxy (visibility = \"private\")");
        }
      }
      return null;
    }
    for (String key : PUBLIC_ONLY) {
      if (t.has(key)) {
        t.error(key, "not used by a private proxy (visibility = \"private\" opens no public port)");
      }
    }
    List<String> allowed = t.has("allowed_visitors") ? t.strings("allowed_visitors") : null;
    return new PrivateProxyConfig(allowed, Secrets.read(t, baseDir, env, "secret"));
  }

  /** The {@code [[visitors]]} tables of a client file. */
  static List<VisitorConfig> visitors(TomlTable top, Path baseDir, UnaryOperator<String> env) {
    List<VisitorConfig> visitors = new ArrayList<>();
    for (TomlTable t : top.tableArray("visitors", VISITOR_KEYS)) {
      t.require("name", "target", "bind_port");
      Integer port = t.integer("bind_port");
      TomlTable retry = t.table("bind_retry", TomlMapping.RETRY_KEYS);
      visitors.add(
          new VisitorConfig(
              t.string("name"),
              t.string("target"),
              t.string("bind_addr"),
              port == null ? 0 : port,
              Secrets.read(t, baseDir, env, "secret"),
              TomlMapping.retry(retry, BindRetryPolicy.DEFAULT)));
    }
    return visitors;
  }
}
