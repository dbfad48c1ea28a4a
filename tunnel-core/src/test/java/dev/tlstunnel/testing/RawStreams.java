package dev.tlstunnel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading what the server sends a {@link RawYamux} client: frames described as text, and the
 * streams the server opens for public connections (stream header, then the relayed bytes). Answers
 * the server's pings on the way.
 */
public final class RawStreams {
  private static final Pattern PEER_PORT = Pattern.compile("\"peer_port\":(\\d+)");

  private RawStreams() {}

  /** {@code "WINDOW_UPDATE ACK 3"}, {@code "DATA SYN|ACK 2"}, {@code "DATA 0 4"}. */
  public static String describe(RawYamux.Frame f) {
    String[] types = {"DATA", "WINDOW_UPDATE", "PING", "GO_AWAY"};
    String[] flagNames = {"SYN", "ACK", "FIN", "RST"};
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < flagNames.length; i++) {
      if ((f.flags() & (1 << i)) != 0) {
        flags.add(flagNames[i]);
      }
    }
    String type = f.type() < types.length ? types[f.type()] : "TYPE" + f.type();
    return type
        + " "
        + (flags.isEmpty() ? "0" : String.join("|", flags))
        + " "
        + Integer.toUnsignedString(f.streamId());
  }

  /** Reads one frame, answering a ping first if that is what came. */
  public static RawYamux.Frame next(RawYamux raw) throws IOException {
    while (true) {
      RawYamux.Frame f = raw.readFrame();
      if (f.type() == RawYamux.PING && (f.flags() & RawYamux.SYN) != 0) {
        raw.send(RawYamux.header(RawYamux.PING, RawYamux.ACK, 0, f.length()));
        continue;
      }
      return f;
    }
  }

  /**
   * Reads frames until one is described as {@code last}; returns the descriptions of those on
   * streams other than the session (0) and the control stream (1), {@code last} included.
   */
  public static List<String> until(RawYamux raw, String last) throws IOException {
    List<String> seen = new ArrayList<>();
    while (true) {
      RawYamux.Frame f = next(raw);
      String d = describe(f);
      if (f.streamId() > 1) {
        seen.add(d);
      }
      if (d.equals(last)) {
        return seen;
      }
    }
  }

  /** The public peer's port named in a stream header, or -1 while it is incomplete. */
  public static int peerPort(byte[] stream) {
    if (stream.length < 2) {
      return -1;
    }
    int length = ByteBuffer.wrap(stream).getShort() & 0xffff;
    if (stream.length < 2 + length) {
      return -1;
    }
    Matcher m = PEER_PORT.matcher(new String(stream, 2, length, StandardCharsets.UTF_8));
    if (!m.find()) {
      throw new IllegalStateException("stream header without peer_port");
    }
    return Integer.parseInt(m.group(1));
  }

  /** The length of the stream header at the start of {@code stream}, prefix included. */
  public static int headerLength(byte[] stream) {
    return 2 + (ByteBuffer.wrap(stream).getShort() & 0xffff);
  }

  /**
   * Reads until {@code streams} server-opened streams each carried a header and {@code bytesEach}
   * bytes; returns, by the public peer's port, the SHA-256 of those bytes. Sends no window updates:
   * {@code bytesEach} plus the header must fit in the initial window.
   */
  public static Map<Integer, byte[]> receive(RawYamux raw, int streams, int bytesEach)
      throws Exception {
    Map<Integer, ByteArrayOutputStream> byId = new HashMap<>();
    Map<Integer, byte[]> byPort = new HashMap<>();
    while (byPort.size() < streams) {
      RawYamux.Frame f = next(raw);
      if (f.type() != RawYamux.DATA || f.streamId() <= 1 || (f.streamId() & 1) == 1) {
        continue;
      }
      ByteArrayOutputStream got =
          byId.computeIfAbsent(f.streamId(), k -> new ByteArrayOutputStream());
      got.writeBytes(f.payload());
      byte[] all = got.toByteArray();
      int port = peerPort(all);
      if (port >= 0 && all.length == headerLength(all) + bytesEach) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(all, headerLength(all), bytesEach);
        byPort.put(port, sha.digest());
      }
    }
    return byPort;
  }
}
