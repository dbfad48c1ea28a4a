package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelOutputShutdownException;

/**
 * One yamux stream as a child channel of the tunnel channel. Runs on the parent's event loop; all
 * state is confined to it. The receive side ({@link StreamInbound}) and the send side ({@link
 * StreamOutbound}) hold the flow control; this class routes frames and channel operations to them
 * and owns open/reset. Half-close works like a socket with half-closure allowed.
 */
final class YamuxStreamChannel extends AbstractStreamChannel {
  private final YamuxMultiplexHandler session;
  private final int id;
  private final StreamInbound inbound;
  private final StreamOutbound outbound;
  private boolean open = true;
  private boolean reset;
  private boolean readCompleteQueued;
  private boolean writeBlocked;

  YamuxStreamChannel(YamuxMultiplexHandler session, int id) {
    super(session.parentChannel());
    this.session = session;
    this.id = id;
    this.inbound = new StreamInbound(this, session);
    this.outbound = new StreamOutbound(this, session);
  }

  int streamId() {
    return id;
  }

  YamuxMultiplexHandler session() {
    return session;
  }

  /** Bytes received but not yet read by the pipeline. */
  int queuedInboundBytes() {
    return inbound.queuedBytes();
  }

  /** True once the peer's FIN arrived (its end of input may still wait behind unread data). */
  boolean inboundFinReceived() {
    return inbound.finReceived();
  }

  ReceiveWindow receiveWindow() {
    return inbound.window();
  }

  boolean isReset() {
    return reset;
  }

  boolean isFinSent() {
    return outbound.finSent();
  }

  // ---- frames from the session ----

  void onData(ByteBuf data) {
    inbound.onData(data);
  }

  void onWindowUpdate(long delta) {
    outbound.onWindowUpdate(delta);
  }

  void onFin() {
    inbound.onFin();
  }

  void onReset() {
    reset = true;
    if (open) {
      unsafe().close(unsafe().voidPromise());
    }
  }

  /**
   * The session ended. A stream whose peer had ended its output (FIN) before that keeps what it
   * received for its reader, like a socket whose peer closed after sending, and closes once the
   * reader has taken it and the end of input; its own output fails from now on. Any other stream
   * closes now, dropping what it held.
   */
  void sessionEnded() {
    if (!open) {
      return;
    }
    if (inbound.finReceived() && !inbound.isInputShutdown()) {
      outbound.sessionEnded();
    } else {
      unsafe().close(unsafe().voidPromise());
    }
  }

  /** True once the session ended while this stream still had input for its reader. */
  boolean isSessionEnded() {
    return outbound.isSessionEnded();
  }

  /** Sends RST and closes the stream at once. */
  void resetStream() {
    if (open && !reset) {
      reset = true;
      // Close locally before the RST leaves: once the peer sees it, this side is already closed.
      unsafe().close(unsafe().voidPromise());
      session.writer().sendReset(id);
    }
  }

  // ---- the session's read-complete and writability queues ----

  void readComplete() {
    inbound.readComplete();
  }

  void resumeWrite() {
    outbound.resumeWrite();
  }

  /** True if the stream was not queued for read-complete yet; it is now. */
  boolean markReadCompleteQueued() {
    boolean first = !readCompleteQueued;
    readCompleteQueued = true;
    return first;
  }

  void clearReadCompleteQueued() {
    readCompleteQueued = false;
  }

  /** True if the stream was not waiting for parent writability yet; it is now. */
  boolean markWriteBlocked() {
    boolean first = !writeBlocked;
    writeBlocked = true;
    return first;
  }

  /** True if the stream was waiting for parent writability; it is not any more. */
  boolean clearWriteBlocked() {
    boolean was = writeBlocked;
    writeBlocked = false;
    return was;
  }

  // ---- channel operations ----

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    outbound.doWrite(in);
  }

  @Override
  protected Object filterOutboundMessage(Object msg) throws ChannelOutputShutdownException {
    return outbound.filter(msg);
  }

  @Override
  protected void doBeginRead() {
    inbound.beginRead();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    boolean unread = inbound.discard();
    outbound.closed();
    session.streams().closed(this, reset, unread, outbound.finSent(), inbound.finReceived());
  }

  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    EventLoop loop = eventLoop();
    if (loop.inEventLoop()) {
      outbound.shutdownOutput(promise);
    } else {
      loop.execute(() -> outbound.shutdownOutput(promise));
    }
    return promise;
  }

  @Override
  public boolean isInputShutdown() {
    return inbound.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return outbound.isOutputShutdown();
  }

  @Override
  public boolean isShutdown() {
    return isInputShutdown() && isOutputShutdown();
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
