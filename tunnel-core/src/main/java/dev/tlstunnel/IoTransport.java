package dev.tlstunnel;

import java.util.Locale;

/**
 * The socket I/O a tunnel uses. {@link #IO_URING} is the default where the kernel allows it, NIO
 * elsewhere: io_uring halves the CPU time of a new connection (docs/PERFORMANCE.md, "Socket
 * transports"). Netty 4.2.18's native epoll transport loses connections whose peer half-closed
 * while auto-read is off (every relay here runs so), so it runs only when asked for. The system
 * property {@code tlstunnel.transport} ({@code nio}, {@code epoll}, {@code io_uring}) changes the
 * default; a builder's {@code ioTransport(...)} overrides both.
 */
public enum IoTransport {
  /** Java NIO, available everywhere. */
  NIO,
  /** Linux native epoll, where it loads (otherwise NIO is used). */
  EPOLL,
  /** Linux io_uring, where the kernel allows it (otherwise NIO is used). */
  IO_URING;

  /**
   * The default: {@code -Dtlstunnel.transport} ({@code nio}, {@code epoll}, {@code io_uring}), else
   * io_uring.
   */
  public static IoTransport fromSystemProperty() {
    String asked = System.getProperty("tlstunnel.transport", "io_uring");
    return switch (asked.toLowerCase(Locale.ROOT)) {
      case "nio" -> NIO;
      case "epoll" -> EPOLL;
      default -> IO_URING;
    };
  }
}
