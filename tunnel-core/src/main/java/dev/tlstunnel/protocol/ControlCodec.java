package dev.tlstunnel.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * Installs the control stream's codec: 4-byte big-endian length framing (at most {@link
 * Protocol#MAX_CONTROL_FRAME} bytes after the length) and JSON to {@link ControlMessage} records
 * and back. Malformed or oversized input raises a {@link io.netty.handler.codec.DecoderException};
 * the handler after the codec closes the stream.
 */
public final class ControlCodec {
  /** Name of the frame decoder in the pipeline. */
  public static final String FRAME_DECODER = "control-frame-decoder";

  /** Name of the length prepender in the pipeline. */
  public static final String FRAME_ENCODER = "control-frame-encoder";

  /** Name of the JSON codec in the pipeline; add the control handlers after it. */
  public static final String MESSAGE_CODEC = "control-message-codec";

  private ControlCodec() {}

  /** Adds the frame decoder, the length prepender and the JSON codec at the end of {@code p}. */
  public static void addTo(ChannelPipeline p) {
    addTo(p, Protocol.MAX_CONTROL_FRAME);
  }

  /**
   * Like {@link #addTo(ChannelPipeline)}, accepting frames of at most {@code maxFrame} bytes
   * (itself at most {@link Protocol#MAX_CONTROL_FRAME}).
   */
  public static void addTo(ChannelPipeline p, int maxFrame) {
    addTo(p, maxFrame, "max_control_frame");
  }

  /**
   * Like {@link #addTo(ChannelPipeline, int)}; an oversized frame's error names the bound {@code
   * boundName} (the owner's configuration key): {@code limit <boundName>=<maxFrame> exceeded by a
   * control frame of <n> bytes}.
   */
  public static void addTo(ChannelPipeline p, int maxFrame, String boundName) {
    int bound = Math.min(maxFrame, Protocol.MAX_CONTROL_FRAME);
    p.addLast(FRAME_DECODER, new ControlFrameDecoder(bound, boundName));
    p.addLast(FRAME_ENCODER, new LengthFieldPrepender(4));
    p.addLast(MESSAGE_CODEC, new ControlMessageCodec());
  }
}
