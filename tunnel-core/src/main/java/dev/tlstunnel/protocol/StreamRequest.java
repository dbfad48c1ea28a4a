package dev.tlstunnel.protocol;

/**
 * The header at the start of every data stream the client opens (any client-opened stream after the
 * control stream): a {@code "kind"} field naming what the stream is for, then the kind's fields;
 * framed like a {@link StreamHeader}. The server answers with a {@link StreamReply}. Requests of a
 * kind this version does not know decode to {@link Unknown}.
 */
public sealed interface StreamRequest permits VisitRequest, EgressRequest, StreamRequest.Unknown {

  /** A request of a kind this version does not know; the server refuses it. */
  record Unknown(String kind) implements StreamRequest {}
}
