package dev.tlstunnel.transport;

import static dev.tlstunnel.common.Errors.rootMessage;

import dev.tlstunnel.IoTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * The socket transport: NIO, or a native one (io_uring, epoll) on Linux where it loads.
 *
 * @param name {@code nio}, {@code epoll} or {@code io_uring}
 * @param ioHandlerFactory creates the I/O handler of each event loop
 * @param serverChannelClass the listening socket channel class
 * @param socketChannelClass the connected socket channel class
 */
public record Transport(
    String name,
    Supplier<IoHandlerFactory> ioHandlerFactory,
    Class<? extends ServerChannel> serverChannelClass,
    Class<? extends SocketChannel> socketChannelClass) {
  /** Netty's switch for multishot polls on io_uring; read once, when io_uring first loads. */
  static final String IO_URING_MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

  /**
   * Netty's switch for multishot accepts, set to {@code false} before io_uring loads unless the
   * application set it ({@link #ioUring()}).
   */
  static final String IO_URING_MULTISHOT_ACCEPT = "io.netty.iouring.acceptMultiShotEnabled";

  /** The quiet period of {@link #shutdown}: long enough for one more loop iteration. */
  static final long SHUTDOWN_QUIET_MILLIS = 20;

  /** The transport for {@code asked}: a native one only where it loads, NIO otherwise. */
  public static Transport of(IoTransport asked) {
    return switch (asked) {
      case EPOLL -> Epoll.isAvailable() ? epoll() : nio();
      case IO_URING -> ioUringLoads() ? ioUring() : nio();
      case NIO -> nio();
    };
  }

  /** The transport whose channels {@code group}'s event loops serve. */
  public static Transport forGroup(EventLoopGroup group) {
    if (group.next() instanceof IoEventLoop loop) {
      if (loop.isIoType(EpollIoHandler.class)) {
        return epoll();
      }
      if (loop.isIoType(IoUringIoHandler.class)) {
        return ioUring();
      }
    }
    return nio();
  }

  /**
   * The default transport: io_uring where the kernel allows it, else NIO; {@code
   * -Dtlstunnel.transport=nio} or {@code epoll} asks for another ({@link
   * IoTransport#fromSystemProperty}).
   *
   * <p>Not native epoll by default: Netty 4.2.18's epoll registration loses a channel whose
   * interest set becomes empty. Once a peer's end of output has been seen on a connection with
   * auto-read off, Netty removes the socket from epoll ({@code EPOLL_CTL_DEL}) while still counting
   * it as added, and the next {@code read()} or waiting write fails with {@code epoll_ctl(..)
   * failed with error(-2)}, closing the connection with its data cut. Every relay here runs with
   * auto-read off, so under load public connections lost data ({@code TransportHalfCloseTest} shows
   * it).
   */
  public static Transport best() {
    return of(IoTransport.fromSystemProperty());
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

  /**
   * The io_uring transport; only where {@link IoUring#isAvailable()}.
   *
   * <p>Chosen through {@link #of}, its channels poll with one-shot {@code POLL_ADD}s ({@value
   * #IO_URING_MULTISHOT_POLL} is set to {@code false} before io_uring loads, unless the application
   * set it). With Netty 4.2.18's multishot polls a connection with auto-read off could miss its
   * peer's end of output for good: in {@code StressWithChaosTest} 14 of 1,000 connections stayed
   * open with a read pending, their {@code POLLIN} poll armed, the socket marked empty and the end
   * of input unread; a multishot poll fires only on new readiness, which a pending end of input no
   * longer raises. A one-shot poll armed by each {@code read()} fires at once on it.
   *
   * <p>Accepts are one-shot too ({@value #IO_URING_MULTISHOT_ACCEPT} set to {@code false} the same
   * way): a multishot accept takes the whole kernel backlog in one loop iteration, and a burst of
   * connections then counts as pending all at once (their stream headers are written in a later
   * iteration), so that {@code max_pending_connects} refused part of a burst that NIO, taking 16
   * connections at a time, serves whole ({@code ConnectionBurstTest}).
   */
  public static Transport ioUring() {
    return new Transport(
        "io_uring",
        IoUringIoHandler::newFactory,
        IoUringServerSocketChannel.class,
        IoUringSocketChannel.class);
  }

  private static boolean ioUringLoads() {
    if (System.getProperty(IO_URING_MULTISHOT_POLL) == null) {
      System.setProperty(IO_URING_MULTISHOT_POLL, "false");
    }
    if (System.getProperty(IO_URING_MULTISHOT_ACCEPT) == null) {
      System.setProperty(IO_URING_MULTISHOT_ACCEPT, "false");
    }
    return IoUring.isAvailable();
  }

  /**
   * Shuts {@code group} down, closing every channel still registered with it, within {@code
   * timeoutSeconds}; returns its termination future.
   *
   * <p>The short quiet period is what makes the loops close their channels: a Netty 4.2 I/O loop
   * closes its channels only if it sees the shutdown right after its I/O step, and with no quiet
   * period a shutdown that begins after that point (in a task, or from another thread while tasks
   * run) ends the loop at the same iteration's end, leaving its channels open and their queued
   * buffers unreleased. On io_uring the channels are closed before the loops shut down ({@link
   * IoUringLoopGroup}): a close the loop itself makes as it shuts down can be lost there.
   */
  public static Future<?> shutdown(EventLoopGroup group, int timeoutSeconds) {
    if (group instanceof IoUringLoopGroup uring) {
      return uring.shutdownAfterClosing(SHUTDOWN_QUIET_MILLIS, timeoutSeconds * 1000L);
    }
    return group.shutdownGracefully(
        SHUTDOWN_QUIET_MILLIS, timeoutSeconds * 1000L, TimeUnit.MILLISECONDS);
  }

  /** The size and name of one event loop group {@link #newGroups} makes. */
  public record Loops(int threads, String name) {}

  /**
   * New event loop groups, all on this transport or, when a native transport cannot create its
   * loops, all on NIO, with a warning that names the cause; {@link #forGroup} tells which. The
   * probe behind {@link #of} creates a ring of one entry, each io_uring loop one of Netty's size
   * (128 submission and 4,096 completion entries, about 80 KiB), which the kernel can refuse where
   * the probe passed: on Linux 5.9 to 5.11 a process without {@code CAP_IPC_LOCK} pays for its
   * rings from the locked-memory limit ({@code ulimit -l}, often 64 KiB).
   *
   * @throws IllegalStateException when NIO's loops cannot be created either
   */
  public List<EventLoopGroup> newGroups(Loops... groups) {
    List<EventLoopGroup> made = new ArrayList<>();
    try {
      for (Loops g : groups) {
        made.add(newGroup(g.threads(), g.name()));
      }
      return made;
    } catch (IllegalStateException e) {
      // Netty's group constructor wraps what a loop's I/O handler threw, after closing the loops
      // it made itself; the groups made before it are closed here.
      made.forEach(g -> g.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS));
      if (name.equals("nio")) {
        throw e;
      }
      String hint =
          socketChannelClass == IoUringSocketChannel.class
              ? " On Linux 5.9 to 5.11 its rings count against the locked-memory limit (ulimit -l):"
                  + " raise it, or start with -Dtlstunnel.transport=nio."
              : " Start with -Dtlstunnel.transport=nio to use NIO without trying it.";
      LoggerFactory.getLogger(Transport.class)
          .warn(
              "The {} socket transport cannot create its event loops ({}); using NIO.{}",
              name,
              rootMessage(e),
              hint);
      return nio().newGroups(groups);
    }
  }

  /**
   * A new event loop group of {@code threads} threads (0 = Netty's default) named {@code name}; on
   * io_uring one whose loops put a {@link ReadAfterCloseGuard} in every socket channel's pipeline.
   * Where several groups serve one server or client, {@link #newGroups} makes them.
   */
  public EventLoopGroup newGroup(int threads, String name) {
    DefaultThreadFactory threadFactory = new DefaultThreadFactory(name, true);
    if (socketChannelClass == IoUringSocketChannel.class) {
      return new IoUringLoopGroup(threads, threadFactory, ioHandlerFactory.get());
    }
    return new MultiThreadIoEventLoopGroup(threads, threadFactory, ioHandlerFactory.get());
  }
}
