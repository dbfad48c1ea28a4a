package dev.tlstunnel.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Hand-built yamux frames and a hand-driven TLS connection for hostile-input tests: the JDK's own
 * {@link SSLSocket}, trusting the test certificate, and nothing of ours on the client side.
 */
public final class RawYamux implements AutoCloseable {
  public static final int DATA = 0;
  public static final int WINDOW_UPDATE = 1;
  public static final int PING = 2;
  public static final int GO_AWAY = 3;
  public static final int SYN = 1;
  public static final int ACK = 2;
  public static final int FIN = 4;
  public static final int RST = 8;

  private final SSLSocket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawYamux(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects from {@code source} (any port) to 127.0.0.1:port and completes the TLS handshake. */
  public static RawYamux connect(SSLContext tls, String source, int port) throws IOException {
    Socket tcp = new Socket();
    tcp.setTcpNoDelay(true);
    tcp.bind(new InetSocketAddress(source, 0));
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(tcp, "localhost", port, true);
    ssl.setSoTimeout(5_000);
    ssl.startHandshake();
    return new RawYamux(ssl);
  }

  /** A JDK TLS context that trusts only {@code certPem}. */
  public static SSLContext trusting(Path certPem) throws Exception {
    X509Certificate cert;
    try (InputStream pem = Files.newInputStream(certPem)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("test", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  // ---- frames ----

  /** A 12-byte header followed by {@code payload}; {@code length} is written as given. */
  public static byte[] frame(
      int version, int type, int flags, int streamId, int length, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
    b.put((byte) version).put((byte) type).putShort((short) flags).putInt(streamId).putInt(length);
    b.put(payload);
    return b.array();
  }

  /** A well-formed data frame. */
  public static byte[] data(int flags, int streamId, byte[] payload) {
    return frame(0, DATA, flags, streamId, payload.length, payload);
  }

  /** A frame of a type without payload (window update, ping, go-away). */
  public static byte[] header(int type, int flags, int streamId, int length) {
    return frame(0, type, flags, streamId, length, new byte[0]);
  }

  /** One control-stream message: 4-byte big-endian length, then the JSON. */
  public static byte[] control(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  /** A stream header, request or reply: 2-byte big-endian length, then the JSON. */
  public static byte[] streamHeader(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + body.length).putShort((short) body.length).put(body).array();
  }

  /** A client_hello with the given key, as a control message. */
  public static byte[] hello(String key, String clientId) {
    return control(
        "{\"type\":\"client_hello\",\"protocol_version\":1,\"auth_key\":\""
            + key
            + "\",\"client_id\":\""
            + clientId
            + "\",\"software_version\":\"raw\"}");
  }

  /** A register_proxies for one TCP proxy on 127.0.0.1, port 0 (the server picks one). */
  public static byte[] register(String proxyName) {
    return control(
        "{\"type\":\"register_proxies\",\"proxies\":[{\"name\":\""
            + proxyName
            + "\",\"publish_addr\":\"127.0.0.1\",\"publish_port\":0,\"proxy_type\":\"tcp\"}]}");
  }

  /** Concatenates byte arrays. */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return all.toByteArray();
  }

  // ---- the connection ----

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Opens stream 1 with SYN and sends {@code hello}; returns the control stream's first reply. */
  public String authenticate(String key, String clientId) throws IOException {
    send(data(SYN, 1, hello(key, clientId)));
    return readControl(1);
  }

  /** Reads frames until one control message arrives on {@code streamId}; returns its JSON. */
  public String readControl(int streamId) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    while (true) {
      Frame f = readFrame();
      if (f.type == DATA && f.streamId == streamId) {
        got.writeBytes(f.payload);
        byte[] all = got.toByteArray();
        if (all.length >= 4) {
          int len = ByteBuffer.wrap(all).getInt();
          if (all.length >= 4 + len) {
            return new String(all, 4, len, StandardCharsets.UTF_8);
          }
        }
      }
    }
  }

  /**
   * Whether the session still answers: sends a ping and reads until its ACK (true) or the end of
   * the connection (false). Answers the server's own pings on the way.
   */
  public boolean answersPing(int opaque) throws IOException {
    send(header(PING, SYN, 0, opaque));
    try {
      while (true) {
        Frame f = readFrame();
        if (f.type == PING && (f.flags & ACK) != 0 && f.length == opaque) {
          return true;
        }
        if (f.type == PING && (f.flags & SYN) != 0) {
          send(header(PING, ACK, 0, f.length));
        }
      }
    } catch (EOFException | SocketException e) {
      return false;
    }
  }

  /** How the server ended the connection, read within {@code millis}. */
  public Ending awaitEnd(int millis) throws IOException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    Integer goAway = null;
    while (true) {
      int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      socket.setSoTimeout(left);
      try {
        Frame f = readFrame();
        if (f.type == GO_AWAY) {
          goAway = f.length;
        }
      } catch (EOFException | SocketException e) {
        return new Ending(true, goAway);
      } catch (SocketTimeoutException e) {
        return new Ending(false, goAway);
      }
    }
  }

  /** Whether the server closed the connection, and the go-away code it sent first, if any. */
  public record Ending(boolean closed, Integer goAwayCode) {}

  /** One frame as read. */
  public record Frame(int version, int type, int flags, int streamId, int length, byte[] payload) {}

  public Frame readFrame() throws IOException {
    int version = in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedShort();
    int id = in.readInt();
    int length = in.readInt();
    byte[] payload = new byte[0];
    if (type == DATA) {
      payload = new byte[length];
      in.readFully(payload);
    }
    return new Frame(version, type, flags, id, length, payload);
  }

  public SSLSocket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
