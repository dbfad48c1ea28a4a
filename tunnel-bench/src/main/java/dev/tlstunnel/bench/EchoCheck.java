package dev.tlstunnel.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One checksummed round trip through a published port to a {@link TaggedEcho} listener: connect,
 * read the 4-byte tag, send random bytes, read as many back and compare their SHA-256. Blocking,
 * bounded by socket timeouts.
 */
final class EchoCheck {
  // Short, so that a check stuck behind a busy tunnel is retried rather than holding a thread.
  private static final int TIMEOUT_MS = 5_000;

  private EchoCheck() {}

  /**
   * Returns null when the tag and the echo are right, else what was wrong.
   *
   * @param port the published port
   * @param tag the tag its proxy's service answers with
   * @param size bytes to send
   */
  static String check(int port, int tag, int size) {
    byte[] payload = new byte[size];
    ThreadLocalRandom.current().nextBytes(payload);
    try (Socket s = new Socket()) {
      s.setSoTimeout(TIMEOUT_MS);
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
      DataInputStream in = new DataInputStream(s.getInputStream());
      int got = in.readInt();
      if (got != tag) {
        return "port " + port + ": reached service " + got + ", expected " + tag;
      }
      s.getOutputStream().write(payload);
      byte[] back = new byte[size];
      in.readFully(back);
      if (!Arrays.equals(sha256(payload), sha256(back))) {
        return "port " + port + ": echo differs (SHA-256 mismatch)";
      }
      return null;
    } catch (IOException e) {
      return "port " + port + ": " + e;
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
