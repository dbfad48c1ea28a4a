package dev.tlstunnel.mux;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/** The yamux frames a session on an embedded channel wrote, decoded. */
final class WrittenFrames {
  private WrittenFrames() {}

  /** Takes every buffer {@code ch} wrote so far and returns its frames, as strings, in order. */
  static List<String> drain(EmbeddedChannel ch) {
    EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameDecoder(1 << 24));
    Object out;
    while ((out = ch.readOutbound()) != null) {
      decoder.writeInbound(out);
    }
    List<String> frames = new ArrayList<>();
    YamuxFrame f;
    while ((f = decoder.readInbound()) != null) {
      frames.add(f.toString());
      f.release();
    }
    decoder.finishAndReleaseAll();
    return frames;
  }
}
