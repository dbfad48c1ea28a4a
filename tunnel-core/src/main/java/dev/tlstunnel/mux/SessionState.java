package dev.tlstunnel.mux;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a yamux session is open, going away or closed, and the ways it ends: a go-away sent or
 * received, a protocol error, a peer that stops reading, the tunnel closing. Ending the session
 * closes every stream and drops queued frames. Event loop only.
 */
final class SessionState {
  // The session's lines are logged under the handler's name, which is where operators look for
  // them.
  private static final Logger log = LoggerFactory.getLogger(YamuxMultiplexHandler.class);

  private final StreamRegistry streams;
  private final SessionWriter writer;
  private final Pings pings;
  private ChannelHandlerContext ctx;
  private boolean closed;
  private boolean localGoAway;
  private volatile boolean remoteGoAway;

  SessionState(StreamRegistry streams, SessionWriter writer, Pings pings) {
    this.streams = streams;
    this.writer = writer;
    this.pings = pings;
  }

  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  boolean isClosed() {
    return closed;
  }

  boolean isLocalGoAway() {
    return localGoAway;
  }

  /** Whether the peer sent a normal go-away: it takes no new streams. From any thread. */
  boolean isRemoteGoAway() {
    return remoteGoAway;
  }

  /** Why no stream can be opened now, or null if one can. */
  String openRefusal() {
    if (closed || !ctx.channel().isActive()) {
      return "session " + ctx.channel() + " is closed";
    }
    if (remoteGoAway) {
      return "peer sent go-away on " + ctx.channel();
    }
    if (localGoAway) {
      return "go-away was sent on " + ctx.channel();
    }
    return streams.capacityRefusal(ctx.channel());
  }

  /** Sends go-away with {@code code}: no new streams from the peer; open ones go on. */
  void goAway(int code) {
    if (closed) {
      return;
    }
    localGoAway = true;
    writer.writeAndFlush(YamuxFrame.goAway(code));
  }

  void onRemoteGoAway(int code) {
    if (code == YamuxFrame.GO_AWAY_NORMAL) {
      log.debug("[yamux {}] peer sent go-away; no new streams will be opened", ctx.channel());
      remoteGoAway = true;
      return;
    }
    log.warn("[yamux {}] peer sent go-away with error code {}; closing", ctx.channel(), code);
    // Shut down here: channelInactive would find the session closed already and skip it.
    shutdown();
    ctx.close();
  }

  /**
   * The peer stopped reading while its frames kept making us answer: close without a go-away (it
   * would not be read either).
   */
  void closeNotReading() {
    if (closed) {
      return;
    }
    log.warn(
        "[yamux {}] peer is not reading: {} bytes of replies wait for it (bound {}); closing session",
        ctx.channel(),
        writer.backlogBytes(),
        SessionWriter.MAX_REPLY_BACKLOG);
    shutdown();
    ctx.close();
  }

  /** A peer violated the protocol: go-away with protocol error, then close the session. */
  void protocolError(String reason) {
    if (closed) {
      return;
    }
    log.warn("[yamux {}] protocol error: {}; closing session", ctx.channel(), reason);
    localGoAway = true;
    ctx.writeAndFlush(YamuxFrame.goAway(YamuxFrame.GO_AWAY_PROTOCOL_ERROR))
        .addListener(ChannelFutureListener.CLOSE);
    shutdown();
  }

  /** The session ends: every stream closes, queued frames and pending pings are dropped. */
  void shutdown() {
    if (closed) {
      return;
    }
    closed = true;
    streams.closeAll();
    writer.clear();
    pings.failAll(new ClosedChannelException());
  }
}
