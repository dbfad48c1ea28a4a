package dev.tlstunnel.common;

import java.util.regex.Pattern;

/** Turning failures into one line for a user or a log. */
public final class Errors {
  /** Netty's prefix on native errors: {@code bind(..) failed with error(-99): } or older forms. */
  private static final Pattern NATIVE_PREFIX =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private Errors() {}

  /**
   * The message of the innermost cause of {@code t}, or that cause's {@code toString()}, without
   * the native transport's {@code connect(..) failed with error(-111): } prefix.
   */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? withoutNativePrefix(root.getMessage()) : root.toString();
  }

  /** {@code text} without the native transport's {@code call(..) failed ...: } prefix. */
  public static String withoutNativePrefix(String text) {
    return NATIVE_PREFIX.matcher(text.strip()).replaceFirst("");
  }
}
