package dev.tlstunnel.proxyproto;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Tells from a connection's first bytes whether it starts with a PROXY protocol header, deciding as
 * soon as the bytes so far rule both versions out: a client that sends a few bytes and waits is
 * never held up waiting for twelve.
 */
final class HeaderPrefix {
  /** What the first bytes say. */
  enum Verdict {
    /** Version 1 ({@code "PROXY "}) or 2 (the 12-byte signature). */
    HEADER,
    /** Neither: the connection's own bytes. */
    NONE,
    /** Too few bytes to tell. */
    MORE
  }

  private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V2 = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private HeaderPrefix() {}

  static Verdict of(ByteBuf bytes) {
    Verdict v1 = match(bytes, V1);
    Verdict v2 = match(bytes, V2);
    if (v1 == Verdict.HEADER || v2 == Verdict.HEADER) {
      return Verdict.HEADER;
    }
    return v1 == Verdict.MORE || v2 == Verdict.MORE ? Verdict.MORE : Verdict.NONE;
  }

  private static Verdict match(ByteBuf bytes, byte[] prefix) {
    int n = Math.min(bytes.readableBytes(), prefix.length);
    int at = bytes.readerIndex();
    for (int i = 0; i < n; i++) {
      if (bytes.getByte(at + i) != prefix[i]) {
        return Verdict.NONE;
      }
    }
    return n == prefix.length ? Verdict.HEADER : Verdict.MORE;
  }
}
