package dev.tlstunnel.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The auth keys a server accepts: the configured one and, for {@code key_rotation_window} after a
 * reload replaced it, the previous one. Compared in constant time. Thread-safe: the keys are
 * replaced as one immutable pair.
 */
final class AuthKeyRing {
  /** Which key a client presented. */
  enum Match {
    CURRENT,
    PREVIOUS,
    NONE
  }

  private record Keys(byte[] current, byte[] previous, long previousUntilNanos) {}

  private final LongSupplier nanoClock;
  private volatile Keys keys;

  AuthKeyRing(String key, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.keys = new Keys(bytes(key), null, 0);
  }

  /** Which key {@code presented} is, if any. */
  Match match(String presented) {
    Keys k = keys;
    byte[] actual = presented == null ? new byte[0] : bytes(presented);
    if (MessageDigest.isEqual(k.current(), actual)) {
      return Match.CURRENT;
    }
    if (k.previous() != null
        && nanoClock.getAsLong() - k.previousUntilNanos() < 0
        && MessageDigest.isEqual(k.previous(), actual)) {
      return Match.PREVIOUS;
    }
    return Match.NONE;
  }

  /** How long the previous key is still accepted (zero when it is not). */
  Duration previousLeft() {
    Keys k = keys;
    long left = k.previous() == null ? 0 : k.previousUntilNanos() - nanoClock.getAsLong();
    return Duration.ofNanos(Math.max(0, left));
  }

  /** {@code next} becomes the key; the one it replaces is accepted for {@code window} more. */
  void rotate(String next, Duration window) {
    Keys k = keys;
    byte[] key = bytes(next);
    if (MessageDigest.isEqual(k.current(), key)) {
      return;
    }
    boolean keep = !window.isZero() && !window.isNegative();
    keys = new Keys(key, keep ? k.current() : null, nanoClock.getAsLong() + window.toNanos());
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
