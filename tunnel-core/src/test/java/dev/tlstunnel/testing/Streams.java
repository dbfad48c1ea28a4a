package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Socket helpers for tests: connect, send a seeded random stream, digest what arrives. */
public final class Streams {
  private Streams() {}

  /** A connected socket to 127.0.0.1:port with a read timeout. */
  public static Socket connect(int port, int readTimeoutMillis) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(readTimeoutMillis);
    return s;
  }

  /** Whether a connection to {@code port} echoes a few bytes back (false on any I/O error). */
  public static boolean echoes(int port) {
    byte[] probe = {'p', 'i', 'n', 'g'};
    try (Socket s = connect(port, 5_000)) {
      s.getOutputStream().write(probe);
      return java.util.Arrays.equals(readExactly(s.getInputStream(), probe.length), probe);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sends {@code length} seeded random bytes on {@code s} (from another thread, so a full socket
   * buffer cannot block the reader) and reads as many back; true if they match byte for byte. The
   * connection stays open.
   */
  public static boolean echoesExactly(Socket s, long seed, int length) throws Exception {
    CompletableFuture<byte[]> sent = new CompletableFuture<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                sent.complete(writeRandom(s.getOutputStream(), seed, length));
              } catch (IOException | RuntimeException e) {
                sent.completeExceptionally(e);
              }
            },
            "echo-writer");
    writer.setDaemon(true);
    writer.start();
    MessageDigest digest = sha256();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[64 * 1024];
    int left = length;
    while (left > 0) {
      int n = in.read(buf, 0, Math.min(buf.length, left));
      if (n < 0) {
        return false;
      }
      digest.update(buf, 0, n);
      left -= n;
    }
    return Arrays.equals(sent.get(30, TimeUnit.SECONDS), digest.digest());
  }

  /**
   * Connects to {@code port}, sends {@code length} seeded random bytes, ends its output and reads
   * until the peer ends (from another thread, so a full socket buffer cannot block the writer);
   * true if exactly those bytes came back.
   */
  public static boolean echoesUntilEnd(int port, long seed, long length) throws Exception {
    try (Socket s = connect(port, 30_000)) {
      CompletableFuture<Digest> back =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return readAll(s.getInputStream());
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      byte[] sent = writeRandom(s.getOutputStream(), seed, length);
      s.shutdownOutput();
      Digest digest = back.get();
      return digest.length() == length && Arrays.equals(digest.sha256(), sent);
    }
  }

  /**
   * Opens {@code connections} connections to {@code port} at once, sends each its own seeded
   * payload (8 KiB and a few bytes) only once all are open, then reads every echo; true if each
   * came back exactly.
   */
  public static boolean concurrentEchoes(int port, int connections) throws IOException {
    List<Socket> sockets = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        sockets.add(connect(port, 20_000));
        byte[] payload = new byte[8 * 1024 + i];
        new Random(i).nextBytes(payload);
        payloads.add(payload);
      }
      for (int i = 0; i < connections; i++) {
        sockets.get(i).getOutputStream().write(payloads.get(i));
      }
      for (int i = 0; i < connections; i++) {
        byte[] back = readExactly(sockets.get(i).getInputStream(), payloads.get(i).length);
        if (!Arrays.equals(back, payloads.get(i))) {
          return false;
        }
      }
      return true;
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /**
   * Sends {@code text} to {@code port}, ends the output and returns everything that comes back
   * until the peer ends its own: an echo service answers only after it saw the end of input, so the
   * text coming back whole shows half-close crossing both ways.
   */
  public static String echoAfterHalfClose(int port, String text) throws IOException {
    try (Socket s = connect(port, 10_000)) {
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Whether the peer closed {@code s} (end of stream or reset) within its read timeout. */
  public static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Whether connecting to {@code port} is refused right now. */
  public static boolean refuses(int port) {
    try (Socket s = connect(port, 1_000)) {
      return !s.isConnected();
    } catch (java.net.ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes {@code length} seeded random bytes and returns their SHA-256. */
  public static byte[] writeRandom(OutputStream out, long seed, long length) throws IOException {
    MessageDigest digest = sha256();
    Random random = new Random(seed);
    byte[] chunk = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int n = (int) Math.min(chunk.length, left);
      random.nextBytes(chunk);
      out.write(chunk, 0, n);
      digest.update(chunk, 0, n);
      left -= n;
    }
    out.flush();
    return digest.digest();
  }

  /** Reads until end of stream and returns the SHA-256 and count of what arrived. */
  public static Digest readAll(InputStream in) throws IOException {
    MessageDigest digest = sha256();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      digest.update(buf, 0, n);
      total += n;
    }
    return new Digest(digest.digest(), total);
  }

  /** A digest and the byte count it covers. */
  public record Digest(byte[] sha256, long length) {}

  /** Reads exactly {@code n} bytes. */
  public static byte[] readExactly(InputStream in, int n) throws IOException {
    byte[] out = new byte[n];
    int off = 0;
    while (off < n) {
      int r = in.read(out, off, n - off);
      if (r < 0) {
        throw new IOException("end of stream after " + off + " of " + n + " bytes");
      }
      off += r;
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
