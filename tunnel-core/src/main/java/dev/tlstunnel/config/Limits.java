package dev.tlstunnel.config;

import java.time.Duration;

/**
 * The server's bounds on what strangers and clients may make it hold ({@code [server.limits]}).
 * Exceeding one closes only the offending connection, stream or proxy, with a log line naming the
 * bound. The protocol's constants are the ceilings; a configuration may lower them.
 *
 * @param maxControlFrame largest control frame accepted, in bytes
 * @param maxProxiesPerClient most proxies one client may register; extra ones are rejected
 * @param maxStreamsPerSession most yamux streams open at once on one tunnel
 * @param maxConnectionsPerProxy most public connections open at once on one proxy
 * @param maxPendingConnects most public connections of one session waiting for their stream
 * @param maxReceiveWindow the largest yamux receive window of one stream, in bytes
 * @param maxSessionWindow how far the receive windows of one session's streams may grow beyond the
 *     initial 256 KiB each, in all, in bytes; once reached, windows stop growing (0: never grow)
 * @param maxFramePayload the largest yamux data frame the server sends, in bytes
 * @param maxUnauthenticated most tunnel connections not yet authenticated, over all sources
 * @param maxUnauthenticatedPerIp most tunnel connections not yet authenticated from one address
 * @param connectionRate new tunnel connections per second one address may open (token refill)
 * @param connectionBurst new tunnel connections one address may open at once (bucket size)
 * @param authPenaltyMax the longest an address is refused after consecutive failed authentications
 *     (the penalty starts at 1 s and doubles per failure)
 */
public record Limits(
    int maxControlFrame,
    int maxProxiesPerClient,
    int maxStreamsPerSession,
    int maxConnectionsPerProxy,
    int maxPendingConnects,
    int maxReceiveWindow,
    int maxSessionWindow,
    int maxFramePayload,
    int maxUnauthenticated,
    int maxUnauthenticatedPerIp,
    int connectionRate,
    int connectionBurst,
    Duration authPenaltyMax) {

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
  public static final Limits DEFAULT =
      new Limits(
          CEILING_CONTROL_FRAME,
          CEILING_PROXIES,
          CEILING_STREAMS,
          CEILING_STREAMS,
          256,
          8 * 1024 * 1024,
          64 * 1024 * 1024,
          64 * 1024,
          1024,
          64,
          20,
          40,
          Duration.ofMinutes(5));

  /** A copy with other admission bounds (per-address rate and burst, unauthenticated caps). */
  public Limits withAdmission(int rate, int burst, int unauthenticated, int unauthenticatedPerIp) {
    return new Limits(
        maxControlFrame,
        maxProxiesPerClient,
        maxStreamsPerSession,
        maxConnectionsPerProxy,
        maxPendingConnects,
        maxReceiveWindow,
        maxSessionWindow,
        maxFramePayload,
        unauthenticated,
        unauthenticatedPerIp,
        rate,
        burst,
        authPenaltyMax);
  }

  /** A copy with another per-session bound on receive window growth. */
  public Limits withSessionWindow(int sessionWindow) {
    return new Limits(
        maxControlFrame,
        maxProxiesPerClient,
        maxStreamsPerSession,
        maxConnectionsPerProxy,
        maxPendingConnects,
        maxReceiveWindow,
        sessionWindow,
        maxFramePayload,
        maxUnauthenticated,
        maxUnauthenticatedPerIp,
        connectionRate,
        connectionBurst,
        authPenaltyMax);
  }

  /** A copy with other bounds on one session's control stream and yamux streams. */
  public Limits withSession(
      int controlFrame, int streamsPerSession, int receiveWindow, int framePayload) {
    return new Limits(
        controlFrame,
        maxProxiesPerClient,
        streamsPerSession,
        maxConnectionsPerProxy,
        maxPendingConnects,
        receiveWindow,
        maxSessionWindow,
        framePayload,
        maxUnauthenticated,
        maxUnauthenticatedPerIp,
        connectionRate,
        connectionBurst,
        authPenaltyMax);
  }

  /** A copy with other per-client bounds. */
  public Limits withPerClient(int proxies, int connectionsPerProxy, int pendingConnects) {
    return new Limits(
        maxControlFrame,
        proxies,
        maxStreamsPerSession,
        connectionsPerProxy,
        pendingConnects,
        maxReceiveWindow,
        maxSessionWindow,
        maxFramePayload,
        maxUnauthenticated,
        maxUnauthenticatedPerIp,
        connectionRate,
        connectionBurst,
        authPenaltyMax);
  }
}
