package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * One yamux frame: the 12-byte header fields plus, for data frames, the payload. For data frames
 * {@link #length()} equals the payload size; for window updates it is the window delta, for pings
 * the opaque ping id and for go-away the error code. Only data frames carry content.
 */
final class YamuxFrame extends DefaultByteBufHolder {
  static final int HEADER_SIZE = 12;
  static final byte VERSION = 0;

  static final byte TYPE_DATA = 0;
  static final byte TYPE_WINDOW_UPDATE = 1;
  static final byte TYPE_PING = 2;
  static final byte TYPE_GO_AWAY = 3;

  static final short FLAG_SYN = 1;
  static final short FLAG_ACK = 2;
  static final short FLAG_FIN = 4;
  static final short FLAG_RST = 8;

  static final int GO_AWAY_NORMAL = 0;
  static final int GO_AWAY_PROTOCOL_ERROR = 1;
  static final int GO_AWAY_INTERNAL_ERROR = 2;

  private final byte type;
  private final short flags;
  private final int streamId;
  private final int length;

  private YamuxFrame(byte type, short flags, int streamId, int length, ByteBuf data) {
    super(data);
    this.type = type;
    this.flags = flags;
    this.streamId = streamId;
    this.length = length;
  }

  /** A data frame owning {@code data} (the frame takes over its reference). */
  static YamuxFrame data(int flags, int streamId, ByteBuf data) {
    return new YamuxFrame(TYPE_DATA, (short) flags, streamId, data.readableBytes(), data);
  }

  /** A frame without payload: window update, ping or go-away. */
  static YamuxFrame control(byte type, int flags, int streamId, int length) {
    if (type == TYPE_DATA && length != 0) {
      throw new IllegalArgumentException("data frames need a payload");
    }
    return new YamuxFrame(type, (short) flags, streamId, length, Unpooled.EMPTY_BUFFER);
  }

  static YamuxFrame windowUpdate(int flags, int streamId, int delta) {
    return control(TYPE_WINDOW_UPDATE, flags, streamId, delta);
  }

  static YamuxFrame ping(int flags, int id) {
    return control(TYPE_PING, flags, 0, id);
  }

  static YamuxFrame goAway(int code) {
    return control(TYPE_GO_AWAY, 0, 0, code);
  }

  byte type() {
    return type;
  }

  short flags() {
    return flags;
  }

  boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }

  int streamId() {
    return streamId;
  }

  /** The raw 32-bit length field; use {@link Integer#toUnsignedLong} for window deltas. */
  int length() {
    return length;
  }

  @Override
  public YamuxFrame replace(ByteBuf content) {
    return new YamuxFrame(type, flags, streamId, content.readableBytes(), content);
  }

  @Override
  public YamuxFrame retain() {
    super.retain();
    return this;
  }

  @Override
  public String toString() {
    return "YamuxFrame(type="
        + type
        + ", flags="
        + flags
        + ", stream="
        + Integer.toUnsignedString(streamId)
        + ", length="
        + Integer.toUnsignedString(length)
        + ")";
  }
}
