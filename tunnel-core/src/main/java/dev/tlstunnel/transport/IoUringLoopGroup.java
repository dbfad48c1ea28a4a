package dev.tlstunnel.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loop group {@link Transport#newGroup} makes for io_uring, with two workarounds for
 * Netty 4.2.18's io_uring loops.
 *
 * <p>Its loops put a {@link ReadAfterCloseGuard} at the head of every socket channel registered
 * with them: channels a bootstrap creates and channels a listening socket accepts alike, before
 * their initializers run, whichever of the group or one of its loops they are registered with.
 *
 * <p>{@link #shutdownAfterClosing} closes every channel still open on the group before the loops
 * begin to shut down. A loop that is shutting down closes the channels left on it itself, but it
 * first queues a drain request, which starts only once every request before it has completed; a
 * close that has to wait for a cancelled accept or read (as a listening socket's always does) is
 * queued after that drain, and when the drain has not completed within 200 ms the loop closes its
 * ring with the close still waiting behind it. The descriptor then stays open until the process
 * ends, and a listening socket keeps its port: a server stopped and started again in the same
 * process cannot bind its ports.
 */
final class IoUringLoopGroup extends MultiThreadIoEventLoopGroup {
  private final ChannelGroup registered =
      new DefaultChannelGroup("io_uring-channels", GlobalEventExecutor.INSTANCE);

  IoUringLoopGroup(int threads, ThreadFactory threadFactory, IoHandlerFactory handlers) {
    super(threads, threadFactory, handlers);
  }

  /**
   * Closes the channels open on this group, then shuts it down with the given quiet period and
   * timeout; starts the shutdown after {@code timeoutMillis} even if a close has not finished by
   * then. Returns the termination future.
   */
  Future<?> shutdownAfterClosing(long quietMillis, long timeoutMillis) {
    Runnable shutdown = () -> shutdownGracefully(quietMillis, timeoutMillis, TimeUnit.MILLISECONDS);
    if (isShuttingDown()) {
      return terminationFuture();
    }
    next().schedule(shutdown, timeoutMillis, TimeUnit.MILLISECONDS);
    // Begun two quiet periods after the closes ran: a loop that ran a task within its quiet period
    // when it sees the shutdown sleeps 100 ms before it looks again.
    registered
        .close()
        .addListener(
            closed ->
                GlobalEventExecutor.INSTANCE.schedule(
                    shutdown, 2 * quietMillis, TimeUnit.MILLISECONDS));
    return terminationFuture();
  }

  @Override
  protected IoEventLoop newChild(Executor executor, IoHandlerFactory handlers, Object... args) {
    return new Loop(this, executor, handlers);
  }

  private void registering(Channel channel) {
    ReadAfterCloseGuard.install(channel);
    registered.add(channel);
  }

  private static final class Loop extends SingleThreadIoEventLoop {
    private final IoUringLoopGroup group;

    Loop(IoUringLoopGroup group, Executor executor, IoHandlerFactory handlers) {
      super(group, executor, handlers);
      this.group = group;
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
      group.registering(promise.channel());
      return super.register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
      group.registering(channel);
      return super.register(channel, promise);
    }
  }
}
