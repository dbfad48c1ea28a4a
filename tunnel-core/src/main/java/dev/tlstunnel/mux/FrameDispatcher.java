package dev.tlstunnel.mux;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes one inbound frame to the session or to its stream, enforcing the protocol rules. */
final class FrameDispatcher {
  private static final Logger log = LoggerFactory.getLogger(FrameDispatcher.class);

  private final YamuxMultiplexHandler session;
  private final StreamRegistry streams;

  FrameDispatcher(YamuxMultiplexHandler session, StreamRegistry streams) {
    this.session = session;
    this.streams = streams;
  }

  void dispatch(YamuxFrame frame) {
    if (session.writer().replyBacklogExceeded()) {
      session.state().closeNotReading();
      return;
    }
    switch (frame.type()) {
      case YamuxFrame.TYPE_PING:
        onPing(frame);
        break;
      case YamuxFrame.TYPE_GO_AWAY:
        session.state().onRemoteGoAway(frame.length());
        break;
      default:
        onStreamFrame(frame);
    }
  }

  private void onPing(YamuxFrame frame) {
    if (frame.hasFlag(YamuxFrame.FLAG_SYN)) {
      session.writer().writeAndFlush(YamuxFrame.ping(YamuxFrame.FLAG_ACK, frame.length()));
    } else if (frame.hasFlag(YamuxFrame.FLAG_ACK)) {
      session.pings().onAck(frame.length());
    }
  }

  private void onStreamFrame(YamuxFrame frame) {
    int id = frame.streamId();
    if (frame.hasFlag(YamuxFrame.FLAG_SYN) && !acceptable(id)) {
      return;
    }
    YamuxStreamChannel stream = streams.get(id);
    if (stream == null) {
      onUnknownStream(frame);
      return;
    }
    if (frame.type() == YamuxFrame.TYPE_DATA) {
      if (frame.content().isReadable()) {
        stream.onData(frame.content().retain());
      }
    } else {
      stream.onWindowUpdate(Integer.toUnsignedLong(frame.length()));
    }
    if (frame.hasFlag(YamuxFrame.FLAG_RST)) {
      stream.onReset();
    } else if (frame.hasFlag(YamuxFrame.FLAG_FIN)) {
      stream.onFin();
    }
  }

  /** Handles a SYN; true if the stream was accepted and the frame should be processed. */
  private boolean acceptable(int id) {
    boolean peerParityOdd = !session.isClient();
    if (id == 0 || ((id & 1) == 1) != peerParityOdd) {
      session
          .state()
          .protocolError(
              "peer opened stream " + Integer.toUnsignedString(id) + " with the wrong parity");
      return false;
    }
    if (streams.inUse(id)) {
      session.state().protocolError("peer opened duplicate stream " + Integer.toUnsignedString(id));
      return false;
    }
    if (session.state().isLocalGoAway()) {
      session.writer().sendReset(id);
      return false;
    }
    if (streams.atLimit()) {
      session
          .limitLog()
          .warn(
              log,
              session.parentChannel(),
              session.config().names().maxStreams(),
              "[yamux {}] {}; refusing stream {} opened by the peer (RST)",
              session.parentChannel(),
              streams.limitReached(),
              Integer.toUnsignedString(id));
      session.writer().sendReset(id);
      return false;
    }
    streams.accept(id);
    return true;
  }

  /**
   * A frame for a stream we no longer know. Data is dropped (like Go's yamux does for recently
   * closed streams); if we closed the stream while the peer was still sending, the peer gets a RST
   * so its writer does not wait forever for window updates.
   */
  private void onUnknownStream(YamuxFrame frame) {
    int id = frame.streamId();
    boolean halfClosed = streams.isHalfClosedByUs(id);
    if (frame.hasFlag(YamuxFrame.FLAG_RST) || frame.hasFlag(YamuxFrame.FLAG_FIN)) {
      streams.forgetHalfClosed(id);
    } else if (halfClosed && frame.type() == YamuxFrame.TYPE_DATA) {
      streams.forgetHalfClosed(id);
      session.writer().sendReset(id);
    } else {
      log.debug("[yamux {}] ignoring {} for unknown stream", session.parentChannel(), frame);
    }
  }
}
