package dev.tlstunnel.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * The first frame of a stream the client opens after the control stream: {@code kind} says what the
 * stream is for (e.g. {@code "egress"}); the other fields belong to that kind. The server refuses
 * kinds it does not know by closing the stream.
 *
 * @param kind what the stream is for
 * @param frame the whole frame, to be read as the kind's own record
 */
public record ClientStreamRequest(String kind, ObjectNode frame) {
  /** What the frame is called in errors. */
  public static final String WHAT = "client stream request";

  /** The request a parsed frame holds; a frame without a string {@code kind} is corrupt. */
  public static ClientStreamRequest of(ObjectNode frame) {
    JsonNode kind = frame.get("kind");
    if (kind == null || !kind.isTextual() || kind.textValue().isEmpty()) {
      throw new CorruptedFrameException(WHAT + " without a 'kind'");
    }
    return new ClientStreamRequest(kind.textValue(), frame);
  }

  /** The frame as the kind's record. */
  public <T> T as(Class<T> type) {
    return StreamFrames.as(frame, type, WHAT + " '" + kind + "'");
  }
}
