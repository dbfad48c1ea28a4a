package dev.tlstunnel.mux;

import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import java.net.SocketAddress;

/**
 * The plumbing of a child channel that lives on its parent's event loop: no registration with an
 * I/O handler, the parent's addresses and allocator, no bind or connect, socket-like half-close
 * API.
 */
abstract class AbstractStreamChannel extends AbstractChannel implements DuplexChannel {
  private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

  private final DefaultChannelConfig config;

  AbstractStreamChannel(Channel parent) {
    super(parent);
    this.config = new DefaultChannelConfig(this);
    config.setAllocator(parent.config().getAllocator());
  }

  /** Runs {@code doWrite} for what is already flushed, e.g. after the peer's window opened. */
  final void flushNow() {
    ((StreamUnsafe) unsafe()).resumeWrite();
  }

  /** yamux cannot stop the peer's output short of a reset; use a reset. */
  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    return promise.setFailure(
        new UnsupportedOperationException("yamux streams cannot shut down input; reset instead"));
  }

  /** Shuts the output down (FIN); the stream closes once the peer's FIN arrived too. */
  @Override
  public ChannelFuture shutdown() {
    return shutdownOutput();
  }

  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    return shutdownOutput(promise);
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new StreamUnsafe();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return loop == parent().eventLoop();
  }

  @Override
  protected SocketAddress localAddress0() {
    return parent().localAddress();
  }

  @Override
  protected SocketAddress remoteAddress0() {
    return parent().remoteAddress();
  }

  @Override
  protected void doRegister(ChannelPromise promise) {
    // Nothing to register with an I/O handler: the parent's event loop drives this channel.
    promise.setSuccess();
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("yamux streams cannot bind");
  }

  @Override
  protected void doDisconnect() throws Exception {
    doClose();
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  private final class StreamUnsafe extends AbstractUnsafe {
    @Override
    public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
      promise.setFailure(new UnsupportedOperationException("yamux streams cannot connect"));
    }

    void resumeWrite() {
      flush0();
    }
  }

  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }
}
