package dev.tlstunnel.common;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.config.Addresses;
import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * Explains why a listener could not bind, with the same texts wherever one binds (published ports,
 * the tunnel port, the client's admin API and local listeners). Works for both transports: NIO
 * throws {@link BindException}; native epoll throws {@link Errors.NativeIoException} (an {@code
 * IOException}) carrying the negative errno. Netty does not expose constants for {@code EADDRINUSE}
 * or {@code EACCES}, so the errno is compared with the Linux values (the only OS with epoll) and
 * the message text is checked as well; the whole cause chain is searched.
 */
public final class BindErrors {

  /** Linux errno values; epoll (hence {@code NativeIoException} from a bind) exists only there. */
  private static final int LINUX_EACCES = 13;

  private static final int LINUX_EPERM = 1;
  private static final int LINUX_EADDRINUSE = 98;

  private BindErrors() {}

  /**
   * The one-line diagnosis of a failed bind of a published port {@code publishAddr:publishPort},
   * e.g. {@code Port 8080 is already in use by another process}.
   */
  public static String describe(String publishAddr, int publishPort, Throwable cause) {
    return describe("proxy listener", publishAddr, publishPort, cause);
  }

  /**
   * Like {@link #describe(String, int, Throwable)} for another kind of listener: {@code what} names
   * it in the text for causes other than a port in use or a permission ({@code Failed to bind
   * <what> on ...}).
   */
  public static String describe(String what, String publishAddr, int publishPort, Throwable cause) {
    switch (classify(cause)) {
      case PORT_IN_USE:
        return "Port " + publishPort + " is already in use by another process";
      case PERMISSION_DENIED:
        return "Permission denied to bind to "
            + Addresses.hostPort(publishAddr, publishPort)
            + " - may need administrator privileges";
      default:
        return "Failed to bind "
            + what
            + " on "
            + Addresses.hostPort(publishAddr, publishPort)
            + ": "
            + causeText(cause);
    }
  }

  /**
   * Classifies {@code cause} by the first throwable in its chain that says what went wrong: {@link
   * FailureKind#PORT_IN_USE}, {@link FailureKind#PERMISSION_DENIED} or {@link
   * FailureKind#BIND_FAILED}.
   */
  public static FailureKind classify(Throwable cause) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = cause; t != null && seen.add(t); t = t.getCause()) {
      FailureKind kind = classifyOne(t);
      if (kind != FailureKind.BIND_FAILED) {
        return kind;
      }
    }
    return FailureKind.BIND_FAILED;
  }

  private static FailureKind classifyOne(Throwable t) {
    if (t instanceof Errors.NativeIoException) {
      int errno = -((Errors.NativeIoException) t).expectedErr();
      if (errno == LINUX_EADDRINUSE) {
        return FailureKind.PORT_IN_USE;
      }
      if (errno == LINUX_EACCES || errno == LINUX_EPERM) {
        return FailureKind.PERMISSION_DENIED;
      }
    }
    String message = t.getMessage();
    if (message == null) {
      return FailureKind.BIND_FAILED;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("address already in use")) {
      return FailureKind.PORT_IN_USE;
    }
    if (lower.contains("permission denied") || lower.contains("operation not permitted")) {
      return FailureKind.PERMISSION_DENIED;
    }
    return FailureKind.BIND_FAILED;
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
    return dev.tlstunnel.common.Errors.withoutNativePrefix(text);
  }
}
