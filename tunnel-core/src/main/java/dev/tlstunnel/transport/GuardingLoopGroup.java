package dev.tlstunnel.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * An event loop group whose loops put a {@link ReadAfterCloseGuard} at the head of every io_uring
 * socket channel registered with them: channels a bootstrap creates and channels a listening socket
 * accepts alike, before their initializers run, whichever of the group or one of its loops they are
 * registered with.
 */
final class GuardingLoopGroup extends MultiThreadIoEventLoopGroup {
  GuardingLoopGroup(int threads, ThreadFactory threadFactory, IoHandlerFactory handlers) {
    super(threads, threadFactory, handlers);
  }

  @Override
  protected IoEventLoop newChild(Executor executor, IoHandlerFactory handlers, Object... args) {
    return new Loop(this, executor, handlers);
  }

  private static final class Loop extends SingleThreadIoEventLoop {
    Loop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory handlers) {
      super(parent, executor, handlers);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
      ReadAfterCloseGuard.install(promise.channel());
      return super.register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
      ReadAfterCloseGuard.install(channel);
      return super.register(channel, promise);
    }
  }
}
