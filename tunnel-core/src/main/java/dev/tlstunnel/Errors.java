package dev.tlstunnel;

/** Turning failures into one line for a user or a log. */
public final class Errors {
  private Errors() {}

  /** The message of the innermost cause of {@code t}, or that cause's {@code toString()}. */
  public static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.toString();
  }
}
