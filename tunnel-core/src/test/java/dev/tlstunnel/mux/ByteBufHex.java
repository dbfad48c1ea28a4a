package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Hex helpers for frame tests. */
final class ByteBufHex {
  private ByteBufHex() {}

  static byte[] bytes(String hex) {
    return ByteBufUtil.decodeHexDump(hex);
  }

  static String hex(ByteBuf buf) {
    return ByteBufUtil.hexDump(buf);
  }
}
