package dev.tlstunnel.mux;

/**
 * Tuning of one yamux session.
 *
 * @param maxReceiveWindow the largest receive window a stream may grow to (at least 256 KiB)
 * @param maxFramePayload the largest data frame payload this side sends and accepts
 * @param maxStreams the most streams open at once; further SYNs are answered with RST
 * @param maxSessionWindow how far the receive windows of all streams of the session may grow beyond
 *     the initial 256 KiB each, in all; once it is reached windows stop growing (0: they never do)
 */
public record YamuxConfig(
    int maxReceiveWindow, int maxFramePayload, int maxStreams, long maxSessionWindow) {
  /** The initial window of every stream, fixed by the yamux specification. */
  public static final int INITIAL_WINDOW = 256 * 1024;

  /** The default of {@link #maxSessionWindow}: 64 MiB. */
  public static final long DEFAULT_SESSION_WINDOW = 64L * 1024 * 1024;

  /** Validates the settings. */
  public YamuxConfig {
    if (maxReceiveWindow < INITIAL_WINDOW) {
      throw new IllegalArgumentException(
          "maxReceiveWindow: "
              + maxReceiveWindow
              + " is below the initial window "
              + INITIAL_WINDOW);
    }
    if (maxFramePayload <= 0) {
      throw new IllegalArgumentException(
          "maxFramePayload: must be positive, was " + maxFramePayload);
    }
    if (maxStreams <= 0) {
      throw new IllegalArgumentException("maxStreams: must be positive, was " + maxStreams);
    }
    if (maxSessionWindow < 0) {
      throw new IllegalArgumentException(
          "maxSessionWindow: must not be negative, was " + maxSessionWindow);
    }
  }

  /** Settings with the default session window budget ({@value #DEFAULT_SESSION_WINDOW} bytes). */
  public YamuxConfig(int maxReceiveWindow, int maxFramePayload, int maxStreams) {
    this(maxReceiveWindow, maxFramePayload, maxStreams, DEFAULT_SESSION_WINDOW);
  }

  /**
   * Defaults: windows grow to 8 MiB, by 64 MiB in all per session, 64 KiB data frames, 16,384
   * streams.
   */
  public static YamuxConfig defaults() {
    return new YamuxConfig(8 * 1024 * 1024, 64 * 1024, 16_384, DEFAULT_SESSION_WINDOW);
  }
}
