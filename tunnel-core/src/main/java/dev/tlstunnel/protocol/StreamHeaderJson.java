package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The JSON of a {@link StreamHeader} written and read by hand, once per proxied connection, for the
 * common case: every string plain printable ASCII (proxy names, client ids and IP literals are), no
 * whitespace, each known field once, integers without sign or leading zeros. The bytes are exactly
 * what the protocol's Jackson mapper writes. Anything else (escapes, unknown fields, nulls, other
 * spacing) is left to Jackson: {@link #write} and {@link #read} answer null, and the caller takes
 * the general path, so the accepted language and every error stay as they were.
 */
final class StreamHeaderJson {
  private static final int MAX_PORT = 65535;

  private StreamHeaderJson() {}

  /** {@code header}'s JSON, or null when a string needs escaping. */
  static byte[] write(StreamHeader header) {
    StringBuilder json = new StringBuilder(128);
    json.append('{');
    if (!string(json, "proxy_name", header.proxyName())
        || !string(json.append(','), "peer_addr", header.peerAddr())) {
      return null;
    }
    json.append(",\"peer_port\":").append(header.peerPort());
    if (header.visitor() != null && !string(json.append(','), "visitor", header.visitor())) {
      return null;
    }
    if (header.destAddr() != null && !string(json.append(','), "dest_addr", header.destAddr())) {
      return null;
    }
    if (header.destPort() != null) {
      json.append(",\"dest_port\":").append(header.destPort());
    }
    json.append('}');
    byte[] bytes = new byte[json.length()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) json.charAt(i);
    }
    return bytes;
  }

  private static boolean string(StringBuilder json, String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!plain(value.charAt(i))) {
        return false;
      }
    }
    json.append('"').append(name).append("\":\"").append(value).append('"');
    return true;
  }

  private static boolean plain(int c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }

  /**
   * The header in {@code body} (its readable bytes, left unread), or null when it is not in the
   * plain form this reads, or lacks {@code proxy_name}, {@code peer_addr} or {@code peer_port}.
   */
  static StreamHeader read(ByteBuf body) {
    return new Reader(body).header();
  }

  private static final class Reader {
    private final ByteBuf in;
    private int at;
    private final int end;
    private String proxyName;
    private String peerAddr;
    private int peerPort = -1;
    private String visitor;
    private String destAddr;
    private Integer destPort;

    Reader(ByteBuf in) {
      this.in = in;
      this.at = in.readerIndex();
      this.end = in.writerIndex();
    }

    StreamHeader header() {
      if (!take('{')) {
        return null;
      }
      do {
        if (!field()) {
          return null;
        }
      } while (take(','));
      if (!take('}') || at != end || proxyName == null || peerAddr == null || peerPort < 0) {
        return null;
      }
      return new StreamHeader(proxyName, peerAddr, peerPort, visitor, destAddr, destPort);
    }

    private boolean field() {
      String name = string();
      if (name == null || !take(':')) {
        return false;
      }
      switch (name) {
        case "proxy_name" -> {
          return proxyName == null && (proxyName = string()) != null;
        }
        case "peer_addr" -> {
          return peerAddr == null && (peerAddr = string()) != null;
        }
        case "visitor" -> {
          return visitor == null && (visitor = string()) != null;
        }
        case "dest_addr" -> {
          return destAddr == null && (destAddr = string()) != null;
        }
        case "peer_port" -> {
          return peerPort < 0 && (peerPort = port()) >= 0;
        }
        case "dest_port" -> {
          int port = destPort == null ? port() : -1;
          destPort = port;
          return port >= 0;
        }
        default -> {
          return false;
        }
      }
    }

    private boolean take(char c) {
      if (at < end && in.getByte(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    private String string() {
      if (!take('"')) {
        return null;
      }
      int start = at;
      while (at < end) {
        int c = in.getByte(at);
        if (c == '"') {
          char[] chars = new char[at - start];
          for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) in.getByte(start + i);
          }
          at++;
          return new String(chars);
        }
        if (!plain(c)) {
          return null;
        }
        at++;
      }
      return null;
    }

    /** A port of 1 to 5 digits without a leading zero, or -1. */
    private int port() {
      int start = at;
      int value = 0;
      while (at < end && at - start < 6) {
        int c = in.getByte(at);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
        at++;
      }
      int digits = at - start;
      boolean leadingZero = digits > 1 && in.getByte(start) == '0';
      return digits == 0 || digits > 5 || leadingZero || value > MAX_PORT ? -1 : value;
    }
  }
}
