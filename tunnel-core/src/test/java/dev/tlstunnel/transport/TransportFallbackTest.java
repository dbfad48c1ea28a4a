package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.Streams;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Transport#newGroups} falls back to NIO when a native transport's event loops cannot be
 * created although its probe passed, as an io_uring ring of full size that the kernel refuses
 * (Linux 5.9 to 5.11 under a small locked-memory limit): every group is then on NIO, the groups
 * made before the failure are shut down, and a warning names the cause.
 */
@Timeout(30)
class TransportFallbackTest {
  private static final String REFUSED = "failed to create io_uring ring fd: Cannot allocate memory";

  @Test
  void loopsTheKernelRefusesFallBackToNioForEveryGroup() throws Exception {
    List<EventExecutor> nativeLoops = new CopyOnWriteArrayList<>();
    Transport refusing = refusingAfter("io_uring", 1, nativeLoops);
    List<EventLoopGroup> groups;
    try (LogCapture logs = new LogCapture(Transport.class)) {
      groups = refusing.newGroups(new Transport.Loops(1, "accept"), new Transport.Loops(2, "work"));
      assertThat(logs.warnings("using NIO"))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .startsWith("The io_uring socket transport cannot create its event loops")
                      .contains("Cannot allocate memory")
                      .contains("ulimit -l")
                      .contains("-Dtlstunnel.transport=nio"));
    }
    try {
      assertThat(groups).hasSize(2);
      assertThat(groups).allSatisfy(g -> assertThat(Transport.forGroup(g).name()).isEqualTo("nio"));
      assertThat(groups).noneMatch(IoUringLoopGroup.class::isInstance);
      assertThat(nativeLoops).as("the loop made before the refusal").hasSize(1);
      assertThat(nativeLoops.get(0).terminationFuture().await(10, TimeUnit.SECONDS))
          .as("the native group made before the refusal is shut down")
          .isTrue();
      assertThat(echoesThrough(groups.get(0), groups.get(1)))
          .as("echoes through the NIO groups")
          .isTrue();
    } finally {
      groups.forEach(g -> Transport.shutdown(g, 2).awaitUninterruptibly());
    }
  }

  @Test
  void epollLoopsThatCannotBeCreatedFallBackWithoutTheRingHint() throws Exception {
    Transport refusing = refusingAfter("epoll", 0, new CopyOnWriteArrayList<>());
    List<EventLoopGroup> groups;
    try (LogCapture logs = new LogCapture(Transport.class)) {
      groups = refusing.newGroups(new Transport.Loops(1, "only"));
      assertThat(logs.warnings("using NIO"))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .startsWith("The epoll socket transport cannot create its event loops")
                      .doesNotContain("ulimit")
                      .endsWith(
                          "Start with -Dtlstunnel.transport=nio to use NIO without trying it."));
    }
    try {
      assertThat(Transport.forGroup(groups.get(0)).name()).isEqualTo("nio");
    } finally {
      Transport.shutdown(groups.get(0), 2).awaitUninterruptibly();
    }
  }

  @Test
  void nioLoopsThatCannotBeCreatedAreAnError() {
    Transport refusing = refusingAfter("nio", 0, new CopyOnWriteArrayList<>());
    assertThatThrownBy(() -> refusing.newGroups(new Transport.Loops(1, "only")))
        .isInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage(REFUSED);
  }

  /**
   * A transport named {@code name} (with io_uring's channel classes for {@code io_uring}, NIO's
   * otherwise) whose loops after the first {@code made} fail to create their I/O handler, as an
   * io_uring loop whose ring the kernel refuses; the loops it did make run NIO's handler and are
   * added to {@code loops}.
   */
  private static Transport refusingAfter(String name, int made, List<EventExecutor> loops) {
    IoHandlerFactory nio = NioIoHandler.newFactory();
    IoHandlerFactory refusing =
        executor -> {
          if (loops.size() >= made) {
            throw new IllegalStateException(REFUSED);
          }
          loops.add((EventExecutor) executor);
          return nio.newHandler(executor);
        };
    return name.equals("io_uring")
        ? new Transport(
            name, () -> refusing, IoUringServerSocketChannel.class, IoUringSocketChannel.class)
        : new Transport(name, () -> refusing, NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /**
   * Whether an echo server on {@code boss} and {@code workers} echoes a probe ({@link Streams}).
   */
  private static boolean echoesThrough(EventLoopGroup boss, EventLoopGroup workers)
      throws Exception {
    Channel server =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(Transport.forGroup(boss).serverChannelClass())
            .childHandler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    try {
      return Streams.echoes(AutoReadOffServer.port(server));
    } finally {
      server.close().sync();
    }
  }
}
