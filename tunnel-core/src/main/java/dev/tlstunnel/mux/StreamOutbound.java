package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.util.internal.StringUtil;
import java.nio.channels.ClosedChannelException;

/**
 * The send side of one stream: flushed buffers leave as data frames within the peer's window and
 * the frame size limit; they wait in the channel's outbound buffer while the window is exhausted or
 * the parent is not writable. {@code shutdownOutput()} sends FIN once everything before it left.
 * Event loop only.
 */
final class StreamOutbound {
  private final YamuxStreamChannel channel;
  private final SessionWriter writer;
  private final int maxFramePayload;
  private long sendWindow = YamuxConfig.INITIAL_WINDOW;
  private boolean inDoWrite;
  private boolean resumeRequested;
  private boolean outputShutdown;
  private boolean finSent;
  private boolean sessionEnded;
  private ChannelPromise finPromise;

  StreamOutbound(YamuxStreamChannel channel, YamuxMultiplexHandler session) {
    this.channel = channel;
    this.writer = session.writer();
    this.maxFramePayload = session.config().maxFramePayload();
  }

  boolean isOutputShutdown() {
    return outputShutdown;
  }

  boolean finSent() {
    return finSent;
  }

  void onWindowUpdate(long delta) {
    sendWindow += delta;
    if (delta > 0 && channel.isOpen()) {
      resumeWrite();
    }
  }

  /** Writes what is already flushed, e.g. after the peer's window or the parent's writability. */
  void resumeWrite() {
    if (inDoWrite) {
      resumeRequested = true;
    } else {
      channel.flushNow();
    }
  }

  void doWrite(ChannelOutboundBuffer in) {
    // Flushing the parent may make it writable again and ask to resume this very stream, while
    // flush0() still runs; such requests are recorded and served by looping here.
    inDoWrite = true;
    try {
      do {
        resumeRequested = false;
        writeFrames(in);
      } while (resumeRequested && channel.isOpen());
    } finally {
      inDoWrite = false;
    }
  }

  private void writeFrames(ChannelOutboundBuffer in) {
    boolean wrote = false;
    Object msg;
    while ((msg = in.current()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      if (!buf.isReadable()) {
        in.remove();
        continue;
      }
      if (sendWindow == 0) {
        break;
      }
      if (!writer.parentWritable()) {
        writer.waitForParentWritable(channel);
        break;
      }
      int n = (int) Math.min(Math.min(buf.readableBytes(), maxFramePayload), sendWindow);
      // A buffer that fits in one frame is handed on as is, without a slice.
      boolean whole = n == buf.readableBytes();
      ByteBuf payload = whole ? buf.retain() : buf.readRetainedSlice(n);
      writer.write(YamuxFrame.data(0, channel.streamId(), payload));
      sendWindow -= n;
      wrote = true;
      in.progress(n);
      if (whole) {
        in.remove();
      }
    }
    if (finPromise != null && in.isEmpty()) {
      sendFin();
    } else if (wrote) {
      writer.flush();
    }
  }

  Object filter(Object msg) throws ChannelOutputShutdownException {
    if (sessionEnded) {
      throw new ChannelOutputShutdownException(
          "the session of yamux stream " + channel.streamIdString() + " has ended");
    }
    if (outputShutdown) {
      throw new ChannelOutputShutdownException(
          "output of yamux stream " + channel.streamIdString() + " was shut down");
    }
    if (msg instanceof ByteBuf) {
      return msg;
    }
    throw new UnsupportedOperationException(
        "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected ByteBuf)");
  }

  void shutdownOutput(ChannelPromise promise) {
    if (!channel.isOpen()) {
      promise.setFailure(new ClosedChannelException());
      return;
    }
    if (outputShutdown) {
      if (finSent) {
        promise.trySuccess();
      } else {
        finPromise.addListener(f -> promise.trySuccess());
      }
      return;
    }
    channel.unsafe().flush();
    outputShutdown = true;
    finPromise = promise;
    ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    if (buffer == null || buffer.isEmpty()) {
      sendFin();
    }
  }

  private void sendFin() {
    finSent = true;
    ChannelPromise promise = finPromise;
    finPromise = null;
    writer.sendFin(channel.streamId());
    promise.trySuccess();
    channel.pipeline().fireUserEventTriggered(ChannelOutputShutdownEvent.INSTANCE);
    if (channel.isInputShutdown()) {
      channel.close();
    }
  }

  boolean isSessionEnded() {
    return sessionEnded;
  }

  /** The session ended: nothing can be sent any more; a FIN still waiting for data fails. */
  void sessionEnded() {
    sessionEnded = true;
    outputShutdown = true;
    closed();
  }

  /** The stream closed: a FIN still waiting for data fails. */
  void closed() {
    if (finPromise != null) {
      finPromise.tryFailure(new ClosedChannelException());
      finPromise = null;
    }
  }
}
