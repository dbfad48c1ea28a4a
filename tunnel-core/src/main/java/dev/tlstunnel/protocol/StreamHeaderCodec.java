package dev.tlstunnel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;

/**
 * The header at the start of a server-opened data stream: a 2-byte big-endian length, then that
 * many bytes of UTF-8 JSON {@code {"proxy_name":…,"peer_addr":…,"peer_port":…}} (at most {@link
 * Protocol#MAX_STREAM_HEADER} bytes; unknown fields are ignored). Raw stream bytes follow. The
 * requests and replies of client-opened streams ({@link StreamRequests}) share the framing.
 */
public final class StreamHeaderCodec {
  private static final ObjectMapper MAPPER = ControlJson.newMapper();

  private StreamHeaderCodec() {}

  /**
   * The encoded header, length prefix included.
   *
   * @throws IllegalArgumentException when a field is missing or the header is too large
   */
  public static ByteBuf encode(ByteBufAllocator alloc, StreamHeader header) {
    if (header.proxyName() == null || header.peerAddr() == null) {
      throw new IllegalArgumentException("stream header needs proxy_name and peer_addr");
    }
    byte[] json = StreamHeaderJson.write(header);
    if (json == null || json.length > Protocol.MAX_STREAM_HEADER) {
      return frame(alloc, header, "stream header");
    }
    ByteBuf buf = alloc.buffer(2 + json.length);
    buf.writeShort(json.length).writeBytes(json);
    return buf;
  }

  /**
   * {@code value} as JSON behind its 2-byte length: the framing of every stream header, request and
   * reply.
   *
   * @throws IllegalArgumentException when it cannot be encoded or is too large
   */
  static ByteBuf frame(ByteBufAllocator alloc, Object value, String what) {
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " cannot be encoded", e);
    }
    if (json.length > Protocol.MAX_STREAM_HEADER) {
      throw new IllegalArgumentException(
          what + " is " + json.length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
    }
    ByteBuf buf = alloc.buffer(2 + json.length);
    buf.writeShort(json.length).writeBytes(json);
    return buf;
  }

  /**
   * Decodes a header body (without its length prefix).
   *
   * @throws DecoderException when malformed, out of bounds or missing a field
   */
  static StreamHeader decodeBody(ByteBuf body) {
    StreamHeader plain = StreamHeaderJson.read(body);
    if (plain != null) {
      return plain;
    }
    StreamHeader header = decodeBody(body, StreamHeader.class, "stream header");
    if (header.proxyName() == null || header.peerAddr() == null) {
      throw new CorruptedFrameException("stream header without proxy_name or peer_addr");
    }
    if (header.peerPort() < 0 || header.peerPort() > 65535) {
      throw new CorruptedFrameException("stream header: field 'peer_port' out of range");
    }
    return header;
  }

  /** A header body as a JSON object within the protocol's bounds. */
  static JsonNode parseBody(ByteBuf body, String what) {
    JsonNode tree = ControlMessages.parse(new ByteBufInputStream(body), what);
    if (tree == null || !tree.isObject()) {
      throw new CorruptedFrameException(what + " is not a JSON object");
    }
    ControlMessages.checkBounds(tree, "", what);
    return tree;
  }

  /** A header body as a record of {@code type}. */
  static <T> T decodeBody(ByteBuf body, Class<T> type, String what) {
    return toRecord(parseBody(body, what), type, what);
  }

  static <T> T toRecord(JsonNode tree, Class<T> type, String what) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedFrameException(ControlMessages.describe(what, e));
    }
  }
}
