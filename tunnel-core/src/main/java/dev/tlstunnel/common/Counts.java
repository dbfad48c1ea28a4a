package dev.tlstunnel.common;

/** Counted nouns for log lines and messages: {@code 1 retry}, {@code 3 retries}. */
public final class Counts {
  private Counts() {}

  /** {@code n} and the noun in the number it needs, e.g. {@code of(1, "proxy", "proxies")}. */
  public static String of(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  /** {@code 1 retry}, {@code 2 retries}. */
  public static String retries(long n) {
    return of(n, "retry", "retries");
  }
}
