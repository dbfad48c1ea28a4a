package dev.tlstunnel;

import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The socket I/O a tunnel uses. {@link #IO_URING} is the default where the kernel allows it (NIO
 * otherwise): it takes half the CPU time of NIO per new connection. Not native epoll: Netty
 * 4.2.18's epoll transport loses connections whose peer half-closed while auto-read is off (every
 * relay here runs so); see {@code docs/PERFORMANCE.md}, "Socket transports". The system property
 * {@code tlstunnel.transport} ({@code nio}, {@code epoll}, {@code io_uring}) changes the default; a
 * builder's {@code ioTransport(...)} overrides both.
 */
public enum IoTransport {
  /** Java NIO, available everywhere. */
  NIO,
  /** Linux native epoll, where it loads (otherwise NIO is used). */
  EPOLL,
  /** Linux io_uring, where the kernel allows it (otherwise NIO is used). */
  IO_URING;

  /**
   * The default: {@code -Dtlstunnel.transport} ({@code nio}, {@code epoll}, {@code io_uring}),
   * io_uring when it is not set.
   */
  public static IoTransport fromSystemProperty() {
    String asked = System.getProperty("tlstunnel.transport", "io_uring");
    return switch (asked.trim().toLowerCase(Locale.ROOT)) {
      case "nio" -> NIO;
      case "epoll" -> EPOLL;
      case "io_uring", "iouring", "io-uring" -> IO_URING;
      default -> {
        LoggerFactory.getLogger(IoTransport.class)
            .warn("-Dtlstunnel.transport={} is not nio, epoll or io_uring; using io_uring", asked);
        yield IO_URING;
      }
    };
  }
}
