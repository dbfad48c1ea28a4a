package dev.tlstunnel.protocol;

/**
 * The server's answer at the start of a client-opened data stream, framed like a {@link
 * StreamHeader}. When {@code ok}, the stream's raw bytes follow; otherwise the server closes the
 * stream after it.
 *
 * @param ok whether the stream was accepted
 * @param reason why not; null when ok (and when a newer server names a reason this version does not
 *     know)
 * @param message the reason in words, for the client's log and status
 */
public record StreamReply(boolean ok, StreamRefusal reason, String message) {

  /** The stream was accepted. */
  public static StreamReply accepted() {
    return new StreamReply(true, null, null);
  }

  /** The stream was refused. */
  public static StreamReply refused(StreamRefusal reason, String message) {
    return new StreamReply(false, reason, message);
  }
}
