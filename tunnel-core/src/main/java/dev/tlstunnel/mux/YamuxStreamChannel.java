package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.util.internal.StringUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One yamux stream as a child channel of the tunnel channel. Runs on the parent's event loop; all
 * state is confined to it. Inbound data waits in a queue (bounded by the receive window) until the
 * pipeline reads; outbound data waits in the channel's outbound buffer while the peer's window is
 * exhausted or the parent is not writable. Half-close works like a socket with half-closure
 * allowed.
 */
final class YamuxStreamChannel extends AbstractStreamChannel {
  private final YamuxMultiplexHandler session;
  private final int id;
  private final ReceiveWindow receiveWindow;
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private int inboundBytes;
  private long sendWindow = YamuxConfig.INITIAL_WINDOW;
  private boolean open = true;
  private boolean readPending;
  private boolean delivering;
  private boolean inDoWrite;
  private boolean resumeRequested;
  private boolean finReceived;
  private boolean inputShutdown;
  private boolean outputShutdown;
  private boolean finSent;
  private boolean reset;
  private ChannelPromise finPromise;

  YamuxStreamChannel(YamuxMultiplexHandler session, int id) {
    super(session.parentChannel());
    this.session = session;
    this.id = id;
    this.receiveWindow = new ReceiveWindow(session.config().maxReceiveWindow(), System.nanoTime());
  }

  int streamId() {
    return id;
  }

  YamuxMultiplexHandler session() {
    return session;
  }

  /** Bytes received but not yet read by the pipeline. */
  int queuedInboundBytes() {
    return inboundBytes;
  }

  ReceiveWindow receiveWindow() {
    return receiveWindow;
  }

  boolean isReset() {
    return reset;
  }

  // ---- frames from the session ----

  void onData(ByteBuf data) {
    int n = data.readableBytes();
    if (!receiveWindow.onReceived(n)) {
      data.release();
      session.protocolError(
          "stream " + streamIdString() + " exceeded its receive window by " + n + " bytes");
      return;
    }
    if (!open || finReceived) {
      data.release();
      return;
    }
    inbound.add(data);
    inboundBytes += n;
    if (readPending) {
      deliver();
    }
  }

  void onWindowUpdate(long delta) {
    sendWindow += delta;
    if (delta > 0 && open) {
      resumeWrite();
    }
  }

  void onFin() {
    if (!open || finReceived) {
      return;
    }
    finReceived = true;
    if (readPending) {
      deliver();
    }
  }

  void onReset() {
    reset = true;
    if (open) {
      unsafe().close(unsafe().voidPromise());
    }
  }

  /** Sends RST and closes the stream at once. */
  void resetStream() {
    if (open && !reset) {
      reset = true;
      // Close locally before the RST leaves: once the peer sees it, this side is already closed.
      unsafe().close(unsafe().voidPromise());
      session.sendReset(id);
    }
  }

  void resumeWrite() {
    if (inDoWrite) {
      resumeRequested = true;
    } else {
      flushNow();
    }
  }

  // ---- inbound delivery ----

  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    boolean any = false;
    try {
      ByteBuf buf;
      while (open && (buf = inbound.poll()) != null) {
        int n = buf.readableBytes();
        inboundBytes -= n;
        any = true;
        pipeline().fireChannelRead(buf);
        consumed(n);
      }
    } finally {
      delivering = false;
    }
    if (!any && !(finReceived && !inputShutdown)) {
      return;
    }
    if (!config().isAutoRead()) {
      readPending = false;
    }
    if (session.inReadLoop()) {
      session.scheduleReadComplete(this);
    } else {
      readComplete();
    }
  }

  void readComplete() {
    if (!open) {
      return;
    }
    // Mark the end of input before the read-complete event: a handler that calls read() from
    // channelReadComplete must not be handed the same FIN again (it would recurse).
    boolean endOfInput = finReceived && inbound.isEmpty() && !inputShutdown;
    if (endOfInput) {
      inputShutdown = true;
    }
    pipeline().fireChannelReadComplete();
    if (open && endOfInput) {
      pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
      if (finSent) {
        close();
      }
    }
  }

  private void consumed(int n) {
    if (finReceived || !open) {
      return;
    }
    int delta = receiveWindow.onConsumed(n, System.nanoTime(), session.rttNanos());
    if (delta > 0) {
      session.writeFrame(YamuxFrame.windowUpdate(0, id, delta));
      session.flushParent();
    }
  }

  // ---- outbound ----

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    // Flushing the parent may make it writable again and ask to resume this very stream, while
    // flush0() still runs; such requests are recorded and served by looping here.
    inDoWrite = true;
    try {
      do {
        resumeRequested = false;
        writeFrames(in);
      } while (resumeRequested && open);
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
      if (!session.parentWritable()) {
        session.waitForParentWritable(this);
        break;
      }
      int n = (int) Math.min(Math.min(buf.readableBytes(), session.maxFramePayload()), sendWindow);
      session.writeFrame(YamuxFrame.data(0, id, buf.readRetainedSlice(n)));
      sendWindow -= n;
      wrote = true;
      in.progress(n);
      if (!buf.isReadable()) {
        in.remove();
      }
    }
    if (finPromise != null && in.isEmpty()) {
      sendFin();
    } else if (wrote) {
      session.flushParent();
    }
  }

  @Override
  protected Object filterOutboundMessage(Object msg) throws ChannelOutputShutdownException {
    if (outputShutdown) {
      throw new ChannelOutputShutdownException(
          "output of yamux stream " + streamIdString() + " was shut down");
    }
    if (msg instanceof ByteBuf) {
      return msg;
    }
    throw new UnsupportedOperationException(
        "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected ByteBuf)");
  }

  private void sendFin() {
    finSent = true;
    ChannelPromise promise = finPromise;
    finPromise = null;
    session.writeFrame(YamuxFrame.windowUpdate(YamuxFrame.FLAG_FIN, id, 0));
    session.flushParent();
    promise.trySuccess();
    pipeline().fireUserEventTriggered(ChannelOutputShutdownEvent.INSTANCE);
    if (inputShutdown) {
      close();
    }
  }

  private void shutdownOutput0(ChannelPromise promise) {
    if (!open) {
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
    unsafe().flush();
    outputShutdown = true;
    finPromise = promise;
    ChannelOutboundBuffer buffer = unsafe().outboundBuffer();
    if (buffer == null || buffer.isEmpty()) {
      sendFin();
    }
  }

  // ---- DuplexChannel ----

  @Override
  public boolean isInputShutdown() {
    return inputShutdown;
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShutdown;
  }

  @Override
  public boolean isShutdown() {
    return inputShutdown && outputShutdown;
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    EventLoop loop = eventLoop();
    if (loop.inEventLoop()) {
      shutdownOutput0(promise);
    } else {
      loop.execute(() -> shutdownOutput0(promise));
    }
    return promise;
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    ByteBuf buf;
    boolean unread = false;
    while ((buf = inbound.poll()) != null) {
      unread = true;
      buf.release();
    }
    inboundBytes = 0;
    if (finPromise != null) {
      finPromise.tryFailure(new ClosedChannelException());
      finPromise = null;
    }
    session.streamClosed(this, reset, unread, finSent, finReceived);
  }

  @Override
  protected void doBeginRead() {
    readPending = true;
    if (!inbound.isEmpty() || (finReceived && !inputShutdown)) {
      deliver();
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open;
  }

  String streamIdString() {
    return Integer.toUnsignedString(id);
  }

  @Override
  public String toString() {
    return "yamux stream " + streamIdString() + " of " + parent();
  }
}
