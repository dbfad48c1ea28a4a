package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import java.util.ArrayDeque;

/**
 * The receive side of one stream: data waits in a queue (bounded by the receive window) until the
 * pipeline reads, the peer's FIN becomes input shutdown after the data before it, and consumed
 * bytes go back to the peer as window updates. One read hands on at most {@link #READ_BATCH} bytes
 * (at least one buffer), like a socket read, so a reader whose own output backs up never takes more
 * than that beyond its buffers' limits. Event loop only.
 */
final class StreamInbound {
  /** The bytes one read hands on, at most (a single larger buffer goes whole). */
  static final int READ_BATCH = 64 * 1024;

  private final YamuxStreamChannel channel;
  private final YamuxMultiplexHandler session;
  private final SessionWriter writer;
  private final ReceiveBudget budget;
  private final ReceiveWindow window;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private int queuedBytes;
  private boolean readPending;
  private boolean delivering;
  private boolean completing;
  private boolean finReceived;
  private boolean inputShutdown;

  StreamInbound(YamuxStreamChannel channel, YamuxMultiplexHandler session) {
    this.channel = channel;
    this.session = session;
    this.writer = session.writer();
    this.budget = session.receiveBudget();
    this.window = new ReceiveWindow(session.config().maxReceiveWindow(), budget, System.nanoTime());
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
      session
          .state()
          .protocolError(
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
    budget.addBuffered(n);
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
    // Asked from a read-complete handler: that read-complete delivers next, without recursion.
    if (!completing) {
      deliver();
    }
  }

  private boolean hasInput() {
    return !queue.isEmpty() || (finReceived && !inputShutdown);
  }

  /**
   * Hands on one read's worth, then its read-complete: at the end of the parent's read loop if it
   * is reading, else now, and as long as the pipeline asks for more and there is more.
   */
  private void deliver() {
    if (delivering) {
      return;
    }
    while (channel.isOpen() && hasInput() && readPending) {
      deliverBatch();
      if (writer.inReadLoop()) {
        writer.scheduleReadComplete(channel);
        return;
      }
      completeRead();
    }
  }

  private void deliverBatch() {
    delivering = true;
    try {
      int batch = 0;
      ByteBuf buf;
      while (batch < READ_BATCH && channel.isOpen() && (buf = queue.poll()) != null) {
        int n = buf.readableBytes();
        queuedBytes -= n;
        budget.addBuffered(-n);
        batch += n;
        channel.pipeline().fireChannelRead(buf);
        consumed(n);
      }
    } finally {
      delivering = false;
    }
    if (!channel.config().isAutoRead()) {
      readPending = false;
    }
  }

  /** The read-complete deferred to the end of the parent's read loop; reads on if asked to. */
  void readComplete() {
    completeRead();
    deliver();
  }

  private void completeRead() {
    if (!channel.isOpen()) {
      return;
    }
    // Mark the end of input before the read-complete event: a handler that calls read() from
    // channelReadComplete must not be handed the same FIN again.
    boolean endOfInput = finReceived && queue.isEmpty() && !inputShutdown;
    if (endOfInput) {
      inputShutdown = true;
    }
    completing = true;
    try {
      channel.pipeline().fireChannelReadComplete();
    } finally {
      completing = false;
    }
    if (!readPending && !channel.config().isAutoRead()) {
      // The reader did not ask for more: its own output is backed up (or it is done).
      window.onReaderPaused();
    }
    if (channel.isOpen() && endOfInput) {
      channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      channel.pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
      if (channel.isFinSent() || channel.isSessionEnded()) {
        channel.close();
      }
    }
  }

  private void consumed(int n) {
    if (finReceived || !channel.isOpen() || !window.onConsumed(n)) {
      return;
    }
    long now = System.nanoTime();
    int delta = window.takeUpdate(now, session.pings().rttNanos(now));
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
    budget.addBuffered(-queuedBytes);
    queuedBytes = 0;
    window.release();
    return unread;
  }
}
