package dev.tlstunnel.protocol;

/**
 * The server's answer at the start of a client-opened data stream, framed like a {@link
 * StreamHeader}. When {@code ok}, the stream's raw bytes follow; otherwise the server closes the
 * stream after it.
 *
 * @param ok whether the stream was accepted
 * @param reason why not, in lower case: a {@link StreamRefusal} wire name, or for an {@code egress}
 *     stream the wire name of the egress failure ({@code dns_failed}, {@code refused}, ...); null
 *     when ok. Readers map names they do not know to a general failure.
 * @param message the reason in words, for the client's log and status
 * @param address for an accepted {@code egress} stream, the address the server connected to
 */
public record StreamReply(boolean ok, String reason, String message, String address) {

  /** The stream was accepted. */
  public static StreamReply accepted() {
    return new StreamReply(true, null, null, null);
  }

  /** An egress stream was connected to {@code address}. */
  public static StreamReply connected(String address) {
    return new StreamReply(true, null, null, address);
  }

  /** The stream was refused for {@code reason}, a wire name. */
  public static StreamReply refused(String reason, String message) {
    return new StreamReply(false, reason, message, null);
  }

  /** The stream was refused for one of the general or visit reasons. */
  public static StreamReply refused(StreamRefusal reason, String message) {
    return refused(reason.wireName(), message);
  }

  /** The reason as a {@link StreamRefusal}, or null when it is none of those. */
  public StreamRefusal refusal() {
    return StreamRefusal.fromWire(reason);
  }
}
