package dev.tlstunnel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.IOException;

/**
 * The JSON frames at the start of a data stream, framed like {@link StreamHeaderCodec}: a 2-byte
 * big-endian length, then that many bytes (at most {@link Protocol#MAX_STREAM_HEADER}) of one UTF-8
 * JSON object with snake_case fields; unknown fields are ignored. Client-opened streams start with
 * a {@link ClientStreamRequest}; an egress stream's first frame from the server is an {@link
 * EgressReply}.
 */
public final class StreamFrames {
  private static final ObjectMapper MAPPER = ControlJson.newMapper();

  private StreamFrames() {}

  /**
   * {@code message} as one frame, length prefix included.
   *
   * @throws IllegalArgumentException when it cannot be encoded or is too large
   */
  public static ByteBuf encode(ByteBufAllocator alloc, Object message) {
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new IllegalArgumentException("stream frame cannot be encoded", e);
    }
    if (json.length > Protocol.MAX_STREAM_HEADER) {
      throw new IllegalArgumentException(
          "stream frame is " + json.length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
    }
    return alloc.buffer(2 + json.length).writeShort(json.length).writeBytes(json);
  }

  /** Parses a frame body (without its length) as a bounded JSON object. */
  static ObjectNode parse(ByteBuf body, String what) {
    JsonNode tree = ControlMessages.parse(new ByteBufInputStream(body), what);
    if (tree == null || !tree.isObject()) {
      throw new CorruptedFrameException(what + " is not a JSON object");
    }
    ControlMessages.checkBounds(tree, "", what);
    return (ObjectNode) tree;
  }

  /**
   * Maps a parsed frame onto a record.
   *
   * @throws CorruptedFrameException naming the field that does not fit
   */
  public static <T> T as(ObjectNode frame, Class<T> type, String what) {
    try {
      return MAPPER.treeToValue(frame, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedFrameException(ControlMessages.describe(what, e));
    }
  }
}
