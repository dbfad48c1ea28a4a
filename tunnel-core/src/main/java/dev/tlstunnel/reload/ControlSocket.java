package dev.tlstunnel.reload;

import dev.tlstunnel.admin.AdminAccess;
import dev.tlstunnel.admin.Responses;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A Unix domain socket that answers {@code POST /api/reload} ({@link ReloadHttpHandler}) and 404 to
 * anything else: how {@code tls-tunnel reload} reaches a running process without a TCP port. Only
 * the owner may connect (the socket file is {@code rw-------}, in a directory that should be the
 * owner's alone). A stale socket file is replaced; one a live process listens on is left alone.
 * Closing removes the file.
 */
final class ControlSocket implements AutoCloseable {
  /** The bound on a request (its line, headers and body each). */
  static final int MAX_REQUEST_BYTES = 8 * 1024;

  private final Path path;
  private final Channel channel;

  private ControlSocket(Path path, Channel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Binds the socket at {@code path} on one of {@code group}'s loops (NIO, epoll or io_uring, as
   * the group).
   *
   * @throws IOException when another process listens there, or the socket cannot be made
   */
  static ControlSocket start(EventLoopGroup group, Path path, ReloadHttpHandler.Target target)
      throws IOException {
    if (Files.exists(path)) {
      if (answers(path)) {
        throw new IOException("another process listens on " + path);
      }
      Files.delete(path);
    }
    boolean epoll = isIoType(group, EpollIoHandler.class);
    boolean ioUring = isIoType(group, IoUringIoHandler.class);
    Class<? extends ServerChannel> type =
        epoll
            ? EpollServerDomainSocketChannel.class
            : ioUring ? IoUringServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    SocketAddress address =
        epoll || ioUring
            ? new DomainSocketAddress(path.toFile())
            : UnixDomainSocketAddress.of(path);
    ChannelFuture bind =
        new ServerBootstrap()
            .group(group)
            .channel(type)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new ReadTimeoutHandler(30),
                            new HttpServerCodec(
                                MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES),
                            new HttpObjectAggregator(MAX_REQUEST_BYTES),
                            new ReloadHttpHandler(target, AdminAccess.OPEN),
                            new NotFound());
                  }
                })
            .bind(address)
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new IOException("cannot listen on " + path + ": " + bind.cause().getMessage());
    }
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | IOException e) {
      bind.channel().close();
      throw new IOException("cannot make " + path + " owner-only: " + e.getMessage(), e);
    }
    return new ControlSocket(path, bind.channel());
  }

  /** Whether a process accepts connections on the socket at {@code path}. */
  private static boolean answers(Path path) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    var closed = channel.close();
    if (!channel.eventLoop().inEventLoop()) {
      closed.awaitUninterruptibly();
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a file left behind is replaced by the next start
    }
  }

  /** Every request that is not a reload. */
  private static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      Responses.respondAndClose(ctx, HttpResponseStatus.NOT_FOUND, "not found");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static boolean isIoType(EventLoopGroup group, Class<? extends IoHandler> type) {
    return group.next() instanceof IoEventLoop loop && loop.isIoType(type);
  }
}
