package dev.tlstunnel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Map;

/**
 * The request that starts a client-opened data stream and the server's reply, each framed like a
 * {@link StreamHeader} (2-byte big-endian length, at most {@link Protocol#MAX_STREAM_HEADER} bytes
 * of JSON). A request is {@code {"kind":…, …the kind's fields}}; an unknown kind decodes to {@link
 * StreamRequest.Unknown}. Decoding never puts a field's value in an exception message.
 */
public final class StreamRequests {
  private static final ObjectMapper MAPPER = ControlJson.newMapper();
  private static final Map<String, Class<? extends StreamRequest>> BY_KIND =
      Map.of("visit", VisitRequest.class, "egress", EgressRequest.class);

  private StreamRequests() {}

  /** The wire name of a request's kind, e.g. {@code visit} or {@code egress}. */
  public static String kindOf(StreamRequest request) {
    if (request instanceof StreamRequest.Unknown unknown) {
      return unknown.kind();
    }
    for (Map.Entry<String, Class<? extends StreamRequest>> e : BY_KIND.entrySet()) {
      if (e.getValue() == request.getClass()) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("no wire kind for " + request.getClass().getName());
  }

  /**
   * The framed request, length prefix included.
   *
   * @throws IllegalArgumentException when it is too large
   */
  public static ByteBuf encode(ByteBufAllocator alloc, StreamRequest request) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("kind", kindOf(request));
    if (!(request instanceof StreamRequest.Unknown)) {
      node.setAll((ObjectNode) MAPPER.valueToTree(request));
    }
    return StreamHeaderCodec.frame(alloc, node, "stream request");
  }

  /** The framed reply, length prefix included. */
  public static ByteBuf encode(ByteBufAllocator alloc, StreamReply reply) {
    return StreamHeaderCodec.frame(alloc, reply, "stream reply");
  }

  /** A decoder of the request that starts a client-opened stream (one per stream). */
  public static StreamHeaderDecoder requestDecoder() {
    return new StreamHeaderDecoder("stream request", StreamRequests::decodeRequest);
  }

  /** A decoder of the reply that starts the server's side of a client-opened stream. */
  public static StreamHeaderDecoder replyDecoder() {
    return new StreamHeaderDecoder("stream reply", StreamRequests::decodeReply);
  }

  static StreamRequest decodeRequest(ByteBuf body) {
    JsonNode tree = StreamHeaderCodec.parseBody(body, "stream request");
    JsonNode kindNode = tree.get("kind");
    if (kindNode == null || !kindNode.isTextual()) {
      throw new CorruptedFrameException("stream request without a string \"kind\" field");
    }
    String kind = kindNode.textValue();
    Class<? extends StreamRequest> type = BY_KIND.get(kind);
    if (type == null) {
      return new StreamRequest.Unknown(kind);
    }
    String what = "stream request " + kind;
    StreamRequest request = StreamHeaderCodec.toRecord(tree, type, what);
    if (request instanceof VisitRequest visit
        && (visit.target() == null || visit.proof() == null)) {
      throw new CorruptedFrameException(what + " without target or proof");
    }
    return request;
  }

  static StreamReply decodeReply(ByteBuf body) {
    return StreamHeaderCodec.decodeBody(body, StreamReply.class, "stream reply");
  }
}
