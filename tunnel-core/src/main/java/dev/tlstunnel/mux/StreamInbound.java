package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import java.util.ArrayDeque;

/**
 * The receive side of one stream: data waits in a queue (bounded by the receive window) until the
 * pipeline reads, the peer's FIN becomes input shutdown after the data before it, and consumed
 * bytes go back to the peer as window updates. Event loop only.
 */
final class StreamInbound {
  private final YamuxStreamChannel channel;
  private final YamuxMultiplexHandler session;
  private final SessionWriter writer;
  private final ReceiveWindow window;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private int queuedBytes;
  private boolean readPending;
  private boolean delivering;
  private boolean finReceived;
  private boolean inputShutdown;

  StreamInbound(YamuxStreamChannel channel, YamuxMultiplexHandler session) {
    this.channel = channel;
    this.session = session;
    this.writer = session.writer();
    this.window = new ReceiveWindow(session.config().maxReceiveWindow(), System.nanoTime());
  }

  int queuedBytes() {
    return queuedBytes;
  }

  ReceiveWindow window() {
    return window;
  }

  boolean finReceived() {
    return finReceived;
  }

  boolean isInputShutdown() {
    return inputShutdown;
  }

  void onData(ByteBuf data) {
    int n = data.readableBytes();
    if (!window.onReceived(n)) {
      data.release();
      session.protocolError(
          "stream "
              + channel.streamIdString()
              + " sent "
              + n
              + " bytes with "
              + window.credit()
              + " left in its receive window (limit "
              + session.config().names().maxReceiveWindow()
              + "="
              + session.config().maxReceiveWindow()
              + ")");
      return;
    }
    if (!channel.isOpen() || finReceived) {
      data.release();
      return;
    }
    queue.add(data);
    queuedBytes += n;
    if (readPending) {
      deliver();
    }
  }

  void onFin() {
    if (!channel.isOpen() || finReceived) {
      return;
    }
    finReceived = true;
    if (readPending) {
      deliver();
    }
  }

  /** The pipeline asked to read. */
  void beginRead() {
    readPending = true;
    if (!queue.isEmpty() || (finReceived && !inputShutdown)) {
      deliver();
    }
  }

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    boolean any = false;
    try {
      ByteBuf buf;
      while (channel.isOpen() && (buf = queue.poll()) != null) {
        int n = buf.readableBytes();
        queuedBytes -= n;
        any = true;
        channel.pipeline().fireChannelRead(buf);
        consumed(n);
      }
    } finally {
      delivering = false;
    }
    if (!any && !(finReceived && !inputShutdown)) {
      return;
    }
    if (!channel.config().isAutoRead()) {
      readPending = false;
    }
    if (writer.inReadLoop()) {
      writer.scheduleReadComplete(channel);
    } else {
      readComplete();
    }
  }

  void readComplete() {
    if (!channel.isOpen()) {
      return;
    }
    // Mark the end of input before the read-complete event: a handler that calls read() from
    // channelReadComplete must not be handed the same FIN again (it would recurse).
    boolean endOfInput = finReceived && queue.isEmpty() && !inputShutdown;
    if (endOfInput) {
      inputShutdown = true;
    }
    channel.pipeline().fireChannelReadComplete();
    if (channel.isOpen() && endOfInput) {
      channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      channel.pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
      if (channel.isFinSent()) {
        channel.close();
      }
    }
  }

  private void consumed(int n) {
    if (finReceived || !channel.isOpen() || !window.onConsumed(n)) {
      return;
    }
    int delta = window.takeUpdate(System.nanoTime(), session.pings().rttNanos());
    writer.writeAndFlush(YamuxFrame.windowUpdate(0, channel.streamId(), delta));
  }

  /** The stream closed: drops what the pipeline never read; true if there was any. */
  boolean discard() {
    boolean unread = false;
    ByteBuf buf;
    while ((buf = queue.poll()) != null) {
      unread = true;
      buf.release();
    }
    queuedBytes = 0;
    return unread;
  }
}
