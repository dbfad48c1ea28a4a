package dev.tlstunnel;

import java.util.Locale;

/**
 * The socket I/O a tunnel uses. {@link #NIO} is the default: Netty 4.2.18's native epoll transport
 * loses connections whose peer half-closed while auto-read is off (every relay here runs so), see
 * {@code docs/PERFORMANCE.md}. The system property {@code tlstunnel.transport=epoll} changes the
 * default; a builder's {@code ioTransport(...)} overrides both.
 */
public enum IoTransport {
  /** Java NIO, available everywhere. */
  NIO,
  /** Linux native epoll, where it loads (otherwise NIO is used). */
  EPOLL;

  /** The default: {@code -Dtlstunnel.transport}, else {@link #NIO}. */
  public static IoTransport fromSystemProperty() {
    String asked = System.getProperty("tlstunnel.transport", "nio");
    return asked.toLowerCase(Locale.ROOT).equals("epoll") ? EPOLL : NIO;
  }
}
