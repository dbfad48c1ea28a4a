package dev.tlstunnel.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The dashboard's files, read from the jar (no CDN, nothing fetched from elsewhere). */
final class Assets {
  /** Path, file in this package, content type. */
  private static final Map<String, String[]> FILES =
      Map.of(
          "/", new String[] {"dashboard.html", "text/html; charset=utf-8"},
          "/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"},
          "/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"});

  private Assets() {}

  static boolean has(String path) {
    return FILES.containsKey(path);
  }

  static String type(String path) {
    return FILES.get(path)[1];
  }

  static byte[] bytes(String path) {
    String file = FILES.get(path)[0];
    try (InputStream in = Assets.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the jar: " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
