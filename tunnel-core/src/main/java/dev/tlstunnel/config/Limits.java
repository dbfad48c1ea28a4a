package dev.tlstunnel.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The server's bounds on what strangers and clients may make it hold ({@code [server.limits]}).
 * Exceeding one closes only the offending connection, stream or proxy, with a log line naming the
 * bound. The protocol's constants are the ceilings; a configuration may lower them. Validated: made
 * by {@link #builder()} (or the loader); {@link #DEFAULT} holds the defaults.
 */
public final class Limits {
  /** Ceiling of {@link #maxControlFrame}: the protocol's bound. */
  public static final int CEILING_CONTROL_FRAME = 64 * 1024;

  /** Ceiling of {@link #maxProxiesPerClient}: the protocol's bound. */
  public static final int CEILING_PROXIES = 256;

  /** Ceiling of {@link #maxStreamsPerSession}. */
  public static final int CEILING_STREAMS = 16_384;

  /** Ceiling of {@link #maxReceiveWindow}: 16 MiB. */
  public static final int CEILING_RECEIVE_WINDOW = 16 * 1024 * 1024;

  /** Floor of {@link #maxReceiveWindow}: yamux's initial window, 256 KiB. */
  public static final int FLOOR_RECEIVE_WINDOW = 256 * 1024;

  /** Ceiling of {@link #maxSessionWindow}: 1 GiB. */
  public static final int CEILING_SESSION_WINDOW = 1 << 30;

  /** Ceiling of {@link #maxFramePayload}: 256 KiB. */
  public static final int CEILING_FRAME_PAYLOAD = 256 * 1024;

  /**
   * The defaults. A proxy may hold as many public connections as a tunnel has streams: what they
   * may buffer is bounded by the receive windows and {@link #maxSessionWindow}, not by counting
   * connections (as {@code ssh -R} and frp do not count them either).
   */
  public static final Limits DEFAULT = new Builder().unchecked();

  private final int maxControlFrame;
  private final int maxProxiesPerClient;
  private final int maxStreamsPerSession;
  private final int maxConnectionsPerProxy;
  private final int maxPendingConnects;
  private final int maxReceiveWindow;
  private final int maxSessionWindow;
  private final int maxFramePayload;
  private final int maxUnauthenticated;
  private final int maxUnauthenticatedPerIp;
  private final int connectionRate;
  private final int connectionBurst;
  private final Duration authPenaltyMax;

  private Limits(Builder b) {
    maxControlFrame = b.maxControlFrame;
    maxProxiesPerClient = b.maxProxiesPerClient;
    maxStreamsPerSession = b.maxStreamsPerSession;
    maxConnectionsPerProxy = b.maxConnectionsPerProxy;
    maxPendingConnects = b.maxPendingConnects;
    maxReceiveWindow = b.maxReceiveWindow;
    maxSessionWindow = b.maxSessionWindow;
    maxFramePayload = b.maxFramePayload;
    maxUnauthenticated = b.maxUnauthenticated;
    maxUnauthenticatedPerIp = b.maxUnauthenticatedPerIp;
    connectionRate = b.connectionRate;
    connectionBurst = b.connectionBurst;
    authPenaltyMax = b.authPenaltyMax;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these limits, to derive changed ones. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Largest control frame accepted, in bytes ({@code max_control_frame}). */
  public int maxControlFrame() {
    return maxControlFrame;
  }

  /** Most proxies one client may register; extra ones are rejected. */
  public int maxProxiesPerClient() {
    return maxProxiesPerClient;
  }

  /** Most yamux streams open at once on one tunnel. */
  public int maxStreamsPerSession() {
    return maxStreamsPerSession;
  }

  /** Most public connections open at once on one proxy. */
  public int maxConnectionsPerProxy() {
    return maxConnectionsPerProxy;
  }

  /** Most public connections of one session waiting for their stream. */
  public int maxPendingConnects() {
    return maxPendingConnects;
  }

  /** The largest yamux receive window of one stream, in bytes. */
  public int maxReceiveWindow() {
    return maxReceiveWindow;
  }

  /**
   * How far the receive windows of one session's streams may grow beyond the initial 256 KiB each,
   * in all, in bytes; once reached, windows stop growing (0: never grow).
   */
  public int maxSessionWindow() {
    return maxSessionWindow;
  }

  /** The largest yamux data frame the server sends, in bytes. */
  public int maxFramePayload() {
    return maxFramePayload;
  }

  /** Most tunnel connections not yet authenticated, over all sources. */
  public int maxUnauthenticated() {
    return maxUnauthenticated;
  }

  /** Most tunnel connections not yet authenticated from one address. */
  public int maxUnauthenticatedPerIp() {
    return maxUnauthenticatedPerIp;
  }

  /** New tunnel connections per second one address may open (token refill). */
  public int connectionRate() {
    return connectionRate;
  }

  /** New tunnel connections one address may open at once (bucket size). */
  public int connectionBurst() {
    return connectionBurst;
  }

  /**
   * The longest an address is refused after consecutive failed authentications (the penalty starts
   * at 1 s and doubles per failure).
   */
  public Duration authPenaltyMax() {
    return authPenaltyMax;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Limits l
        && maxControlFrame == l.maxControlFrame
        && maxProxiesPerClient == l.maxProxiesPerClient
        && maxStreamsPerSession == l.maxStreamsPerSession
        && maxConnectionsPerProxy == l.maxConnectionsPerProxy
        && maxPendingConnects == l.maxPendingConnects
        && maxReceiveWindow == l.maxReceiveWindow
        && maxSessionWindow == l.maxSessionWindow
        && maxFramePayload == l.maxFramePayload
        && maxUnauthenticated == l.maxUnauthenticated
        && maxUnauthenticatedPerIp == l.maxUnauthenticatedPerIp
        && connectionRate == l.connectionRate
        && connectionBurst == l.connectionBurst
        && Objects.equals(authPenaltyMax, l.authPenaltyMax);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxStreamsPerSession, maxConnectionsPerProxy, maxReceiveWindow);
  }

  @Override
  public String toString() {
    return "Limits[maxControlFrame="
        + maxControlFrame
        + ", maxProxiesPerClient="
        + maxProxiesPerClient
        + ", maxStreamsPerSession="
        + maxStreamsPerSession
        + ", maxConnectionsPerProxy="
        + maxConnectionsPerProxy
        + ", maxPendingConnects="
        + maxPendingConnects
        + ", maxReceiveWindow="
        + maxReceiveWindow
        + ", maxSessionWindow="
        + maxSessionWindow
        + ", maxFramePayload="
        + maxFramePayload
        + ", maxUnauthenticated="
        + maxUnauthenticated
        + ", maxUnauthenticatedPerIp="
        + maxUnauthenticatedPerIp
        + ", connectionRate="
        + connectionRate
        + ", connectionBurst="
        + connectionBurst
        + ", authPenaltyMax="
        + authPenaltyMax
        + "]";
  }

  /** Builds validated {@link Limits}; each setter is named after its key in TOML. */
  public static final class Builder {
    private int maxControlFrame = CEILING_CONTROL_FRAME;
    private int maxProxiesPerClient = CEILING_PROXIES;
    private int maxStreamsPerSession = CEILING_STREAMS;
    private int maxConnectionsPerProxy = CEILING_STREAMS;
    private int maxPendingConnects = 256;
    private int maxReceiveWindow = 8 * 1024 * 1024;
    private int maxSessionWindow = 64 * 1024 * 1024;
    private int maxFramePayload = 64 * 1024;
    private int maxUnauthenticated = 1024;
    private int maxUnauthenticatedPerIp = 64;
    private int connectionRate = 20;
    private int connectionBurst = 40;
    private Duration authPenaltyMax = Duration.ofMinutes(5);

    private Builder() {}

    private Builder(Limits l) {
      maxControlFrame = l.maxControlFrame;
      maxProxiesPerClient = l.maxProxiesPerClient;
      maxStreamsPerSession = l.maxStreamsPerSession;
      maxConnectionsPerProxy = l.maxConnectionsPerProxy;
      maxPendingConnects = l.maxPendingConnects;
      maxReceiveWindow = l.maxReceiveWindow;
      maxSessionWindow = l.maxSessionWindow;
      maxFramePayload = l.maxFramePayload;
      maxUnauthenticated = l.maxUnauthenticated;
      maxUnauthenticatedPerIp = l.maxUnauthenticatedPerIp;
      connectionRate = l.connectionRate;
      connectionBurst = l.connectionBurst;
      authPenaltyMax = l.authPenaltyMax;
    }

    public Builder maxControlFrame(int bytes) {
      this.maxControlFrame = bytes;
      return this;
    }

    public Builder maxProxiesPerClient(int proxies) {
      this.maxProxiesPerClient = proxies;
      return this;
    }

    public Builder maxStreamsPerSession(int streams) {
      this.maxStreamsPerSession = streams;
      return this;
    }

    public Builder maxConnectionsPerProxy(int connections) {
      this.maxConnectionsPerProxy = connections;
      return this;
    }

    public Builder maxPendingConnects(int connections) {
      this.maxPendingConnects = connections;
      return this;
    }

    public Builder maxReceiveWindow(int bytes) {
      this.maxReceiveWindow = bytes;
      return this;
    }

    public Builder maxSessionWindow(int bytes) {
      this.maxSessionWindow = bytes;
      return this;
    }

    public Builder maxFramePayload(int bytes) {
      this.maxFramePayload = bytes;
      return this;
    }

    public Builder maxUnauthenticated(int connections) {
      this.maxUnauthenticated = connections;
      return this;
    }

    public Builder maxUnauthenticatedPerIp(int connections) {
      this.maxUnauthenticatedPerIp = connections;
      return this;
    }

    public Builder connectionRate(int perSecond) {
      this.connectionRate = perSecond;
      return this;
    }

    public Builder connectionBurst(int connections) {
      this.connectionBurst = connections;
      return this;
    }

    public Builder authPenaltyMax(Duration penalty) {
      this.authPenaltyMax = penalty;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws ConfigException listing every bound out of range, each naming its key ({@code
     *     server.limits.max_streams_per_session: ...})
     */
    public Limits build() throws ConfigException {
      return ConfigValidator.validate(unchecked());
    }

    /** Builds without validation, for the validator and the loader (package-private). */
    Limits unchecked() {
      return new Limits(this);
    }
  }
}
