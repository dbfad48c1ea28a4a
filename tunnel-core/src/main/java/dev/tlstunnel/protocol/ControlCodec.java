package dev.tlstunnel.protocol;

import io.netty.channel.ChannelPipeline;

/** Installs the control-stream codec. */
public final class ControlCodec {
  private ControlCodec() {}

  /** Adds framing and the JSON codec to a control stream's pipeline. */
  public static void addTo(ChannelPipeline pipeline) {
    throw new UnsupportedOperationException("not yet");
  }
}
