package dev.tlstunnel.protocol;

/** Protocol constants shared by both sides. */
public final class Protocol {
  /** The control protocol version this build speaks. */
  public static final int VERSION = 1;

  /** Largest control frame, in bytes, after the 4-byte length. */
  public static final int MAX_CONTROL_FRAME = 64 * 1024;

  /** Longest string in a control message, in characters. */
  public static final int MAX_STRING_LENGTH = 1024;

  /** Most proxies one client may register. */
  public static final int MAX_PROXIES = 256;

  /** Largest stream header, in bytes, after its 2-byte length. */
  public static final int MAX_STREAM_HEADER = 1024;

  private Protocol() {}
}
