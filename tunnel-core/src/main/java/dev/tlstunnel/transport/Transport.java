package dev.tlstunnel.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The socket transport: native epoll on Linux when it loads, NIO otherwise.
 *
 * @param name {@code epoll} or {@code nio}
 * @param ioHandlerFactory creates the I/O handler of each event loop
 * @param serverChannelClass the listening socket channel class
 * @param socketChannelClass the connected socket channel class
 */
public record Transport(
    String name,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelClass,
    Class<? extends SocketChannel> socketChannelClass) {

  /** Epoll when available (and not disabled with {@code -Dtlstunnel.transport=nio}), else NIO. */
  public static Transport best() {
    boolean nioForced = "nio".equalsIgnoreCase(System.getProperty("tlstunnel.transport"));
    return !nioForced && Epoll.isAvailable() ? epoll() : nio();
  }

  /** The NIO transport, available everywhere. */
  public static Transport nio() {
    return new Transport(
        "nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** The native epoll transport; only where {@link Epoll#isAvailable()}. */
  public static Transport epoll() {
    return new Transport(
        "epoll",
        EpollIoHandler::newFactory,
        EpollServerSocketChannel.class,
        EpollSocketChannel.class);
  }

  /** A new event loop group of {@code threads} threads (0 = Netty's default) named {@code name}. */
  public EventLoopGroup newGroup(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(name, true), ioHandlerFactory.get());
  }
}
