package dev.tlstunnel.bind;

import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Explains why a listener could not bind, in the words of DESIGN §4. Works for both transports: NIO
 * throws {@link BindException}; native epoll throws {@link Errors.NativeIoException} (an {@code
 * IOException}) carrying the negative errno. Netty does not expose constants for {@code EADDRINUSE}
 * or {@code EACCES}, so the errno is compared with the Linux values (the only OS with epoll) and
 * the message text is checked as well; the whole cause chain is searched.
 */
public final class BindDiagnostics {

  /** What kind of bind failure a throwable reports. */
  public enum BindFailureKind {
    /** Another socket holds the address and port. */
    ADDRESS_IN_USE,
    /** The process may not bind there, e.g. a port below 1024 without privileges. */
    PERMISSION_DENIED,
    /** Anything else, e.g. an address that is not on this host. */
    OTHER
  }

  /** Linux errno values; epoll (hence {@code NativeIoException} from a bind) exists only there. */
  private static final int LINUX_EACCES = 13;

  private static final int LINUX_EPERM = 1;
  private static final int LINUX_EADDRINUSE = 98;

  /** Netty's prefix on native errors: {@code bind(..) failed with error(-99): } or older forms. */
  private static final Pattern NATIVE_PREFIX =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private BindDiagnostics() {}

  /**
   * The one-line diagnosis of a failed bind of a proxy's {@code publishAddr:publishPort}, e.g.
   * {@code Port 8080 is already in use by another process}.
   */
  public static String describe(String publishAddr, int publishPort, Throwable cause) {
    return describe("proxy listener", publishAddr, publishPort, cause);
  }

  /**
   * Like {@link #describe(String, int, Throwable)} for any listener; {@code listener} names it in
   * the catch-all text: {@code Failed to bind <listener> on addr:port: <cause>}.
   */
  public static String describe(String listener, String addr, int port, Throwable cause) {
    switch (classify(cause)) {
      case ADDRESS_IN_USE:
        return "Port " + port + " is already in use by another process";
      case PERMISSION_DENIED:
        return "Permission denied to bind to "
            + hostPort(addr, port)
            + " - may need administrator privileges";
      default:
        return "Failed to bind "
            + listener
            + " on "
            + hostPort(addr, port)
            + ": "
            + causeText(cause);
    }
  }

  /** Classifies {@code cause} by the first throwable in its chain that says what went wrong. */
  public static BindFailureKind classify(Throwable cause) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = cause; t != null && seen.add(t); t = t.getCause()) {
      BindFailureKind kind = classifyOne(t);
      if (kind != BindFailureKind.OTHER) {
        return kind;
      }
    }
    return BindFailureKind.OTHER;
  }

  /** {@code addr:port}, with IPv6 literals in brackets. */
  public static String hostPort(String addr, int port) {
    boolean ipv6 = addr != null && addr.indexOf(':') >= 0 && !addr.startsWith("[");
    return (ipv6 ? "[" + addr + "]" : addr) + ":" + port;
  }

  private static BindFailureKind classifyOne(Throwable t) {
    if (t instanceof Errors.NativeIoException) {
      int errno = -((Errors.NativeIoException) t).expectedErr();
      if (errno == LINUX_EADDRINUSE) {
        return BindFailureKind.ADDRESS_IN_USE;
      }
      if (errno == LINUX_EACCES || errno == LINUX_EPERM) {
        return BindFailureKind.PERMISSION_DENIED;
      }
    }
    String message = t.getMessage();
    if (message == null) {
      return BindFailureKind.OTHER;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("address already in use")) {
      return BindFailureKind.ADDRESS_IN_USE;
    }
    if (lower.contains("permission denied") || lower.contains("operation not permitted")) {
      return BindFailureKind.PERMISSION_DENIED;
    }
    return BindFailureKind.OTHER;
  }

  /**
   * The system's own text for the most specific cause: the deepest message in the chain, without
   * Netty's native prefix; the class name when no throwable in the chain has a message.
   */
  private static String causeText(Throwable cause) {
    if (cause == null) {
      return "unknown error";
    }
    String text = null;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = cause; t != null && seen.add(t); t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        text = t.getMessage();
      }
    }
    if (text == null) {
      return cause.getClass().getSimpleName();
    }
    return NATIVE_PREFIX.matcher(text.strip()).replaceFirst("");
  }
}
