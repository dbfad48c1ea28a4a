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
 * Protocol#MAX_STREAM_HEADER} bytes; unknown fields are ignored). Raw stream bytes follow.
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
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalArgumentException("stream header cannot be encoded", e);
    }
    if (json.length > Protocol.MAX_STREAM_HEADER) {
      throw new IllegalArgumentException(
          "stream header is " + json.length + " bytes, more than " + Protocol.MAX_STREAM_HEADER);
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
    JsonNode tree = ControlMessages.parse(new ByteBufInputStream(body), "stream header");
    if (tree == null || !tree.isObject()) {
      throw new CorruptedFrameException("stream header is not a JSON object");
    }
    ControlMessages.checkBounds(tree, "", "stream header");
    StreamHeader header;
    try {
      header = MAPPER.treeToValue(tree, StreamHeader.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new CorruptedFrameException(ControlMessages.describe("stream header", e));
    }
    if (header.proxyName() == null || header.peerAddr() == null) {
      throw new CorruptedFrameException("stream header without proxy_name or peer_addr");
    }
    if (header.peerPort() < 0 || header.peerPort() > 65535) {
      throw new CorruptedFrameException("stream header: field 'peer_port' out of range");
    }
    return header;
  }
}
