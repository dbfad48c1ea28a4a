package dev.tlstunnel;

import java.util.Locale;

/**
 * The socket I/O a tunnel uses. {@link #NIO} is the default: Netty 4.2.18's native epoll transport
 * loses connections whose peer half-closed while auto-read is off (every relay here runs so), and
 * io_uring, which halves the CPU time of a new connection, still fails two of the cluster's etcd
 * failure tests that pass on NIO; see {@code docs/PERFORMANCE.md}, "Socket transports". The system
 * property {@code tlstunnel.transport} ({@code epoll}, {@code io_uring}) changes the default; a
 * builder's {@code ioTransport(...)} overrides both.
 */
public enum IoTransport {
  /** Java NIO, available everywhere. */
  NIO,
  /** Linux native epoll, where it loads (otherwise NIO is used). */
  EPOLL,
  /** Linux io_uring, where the kernel allows it (otherwise NIO is used). */
  IO_URING;

  /** The default: {@code -Dtlstunnel.transport} ({@code nio}, {@code epoll}, {@code io_uring}). */
  public static IoTransport fromSystemProperty() {
    String asked = System.getProperty("tlstunnel.transport", "nio");
    return switch (asked.toLowerCase(Locale.ROOT)) {
      case "epoll" -> EPOLL;
      case "io_uring", "iouring", "io-uring" -> IO_URING;
      default -> NIO;
    };
  }
}
