package dev.tlstunnel.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/**
 * Soft config issues for one-shot commands ({@code check}, {@code status}, {@code retry}): plain
 * {@code warning: key: what} lines on stderr, where long-running commands log them at WARN.
 */
final class Warnings {
  private Warnings() {}

  static Consumer<String> to(PrintWriter err) {
    return warning -> {
      err.println("warning: " + warning);
      err.flush();
    };
  }
}
