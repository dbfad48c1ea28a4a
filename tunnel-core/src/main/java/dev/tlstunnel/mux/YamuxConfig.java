package dev.tlstunnel.mux;

/**
 * Tuning of one yamux session.
 *
 * @param maxReceiveWindow the largest receive window a stream may grow to (at least 256 KiB)
 * @param maxFramePayload the largest data frame payload this side sends and accepts
 * @param maxStreams the most streams open at once; further SYNs are answered with RST
 */
public record YamuxConfig(int maxReceiveWindow, int maxFramePayload, int maxStreams) {
  /** The initial window of every stream, fixed by the yamux specification. */
  public static final int INITIAL_WINDOW = 256 * 1024;

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
  }

  /** Defaults: windows grow to 8 MiB, 64 KiB data frames, 16,384 streams. */
  public static YamuxConfig defaults() {
    return new YamuxConfig(8 * 1024 * 1024, 64 * 1024, 16_384);
  }
}
