package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Encodes the data-stream header. */
public final class StreamHeaderCodec {
  private StreamHeaderCodec() {}

  /** The encoded header. */
  public static ByteBuf encode(ByteBufAllocator alloc, StreamHeader header) {
    throw new UnsupportedOperationException("not yet");
  }
}
