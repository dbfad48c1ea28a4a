package dev.tlstunnel.mux;

/**
 * Tuning of one yamux session.
 *
 * @param maxReceiveWindow the largest receive window a stream may grow to (at least 256 KiB); also
 *     the largest data frame accepted from the peer
 * @param maxFramePayload the largest data frame payload this side sends
 * @param maxStreams the most streams at once, counting those this side closed while the peer has
 *     not yet; further SYNs are answered with RST and {@link YamuxMultiplexHandler#openStream}
 *     fails
 * @param maxSessionWindow how far the receive windows of all streams of the session may grow beyond
 *     the initial 256 KiB each, in all; once it is reached windows stop growing (0: they never do)
 * @param names how log lines and refusals name these bounds
 */
public record YamuxConfig(
    int maxReceiveWindow,
    int maxFramePayload,
    int maxStreams,
    long maxSessionWindow,
    LimitNames names) {
  /** The initial window of every stream, fixed by the yamux specification. */
  public static final int INITIAL_WINDOW = 256 * 1024;

  /** The default of {@link #maxSessionWindow}: 64 MiB. */
  public static final long DEFAULT_SESSION_WINDOW = 64L * 1024 * 1024;

  /**
   * The names of the bounds a peer can exceed, as log lines and refusals write them ({@code limit
   * <name>=<value> reached}): the owner's configuration keys, so that an operator finds the
   * setting.
   *
   * @param maxReceiveWindow the name of {@link YamuxConfig#maxReceiveWindow}
   * @param maxStreams the name of {@link YamuxConfig#maxStreams}
   */
  public record LimitNames(String maxReceiveWindow, String maxStreams) {
    /** The names used when the owner gives none. */
    public static final LimitNames YAMUX = new LimitNames("max_receive_window", "max_streams");
  }

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
    if (names == null) {
      throw new IllegalArgumentException("names: must not be null");
    }
  }

  /** Settings with the default session window budget, named {@link LimitNames#YAMUX}. */
  public YamuxConfig(int maxReceiveWindow, int maxFramePayload, int maxStreams) {
    this(maxReceiveWindow, maxFramePayload, maxStreams, LimitNames.YAMUX);
  }

  /** Settings with the default session window budget ({@value #DEFAULT_SESSION_WINDOW} bytes). */
  public YamuxConfig(int maxReceiveWindow, int maxFramePayload, int maxStreams, LimitNames names) {
    this(maxReceiveWindow, maxFramePayload, maxStreams, DEFAULT_SESSION_WINDOW, names);
  }

  /**
   * Defaults: windows grow to 8 MiB, by 64 MiB in all per session, 64 KiB data frames, 16,384
   * streams.
   */
  public static YamuxConfig defaults() {
    return new YamuxConfig(
        8 * 1024 * 1024, 64 * 1024, 16_384, DEFAULT_SESSION_WINDOW, LimitNames.YAMUX);
  }
}
