package dev.tlstunnel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.protocol.VisitProof;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;

/**
 * A visitor driven by hand over {@link RawYamux}: authenticates, takes the session's {@code
 * visit_nonce} and opens visit streams with whatever request a test wants, e.g. a proof captured
 * from another stream.
 */
public final class RawVisitor implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RawYamux yamux;
  private final String clientId;
  private final String nonce;
  private int nextStream = 3;

  private RawVisitor(RawYamux yamux, String clientId, String nonce) {
    this.yamux = yamux;
    this.clientId = clientId;
    this.nonce = nonce;
  }

  /** Connects to the server on {@code port} as {@code clientId} and reads the nonce. */
  public static RawVisitor connect(SSLContext tls, int port, String key, String clientId)
      throws IOException {
    RawYamux yamux = RawYamux.connect(tls, "127.0.0.1", port);
    String auth = yamux.authenticate(key, clientId);
    if (!auth.contains("\"ok\":true")) {
      yamux.close();
      throw new IOException("not authenticated: " + auth);
    }
    JsonNode nonce = JSON.readTree(yamux.readControl(1));
    if (!nonce.path("type").asText().equals("visit_nonce")) {
      yamux.close();
      throw new IOException("expected visit_nonce, got " + nonce);
    }
    return new RawVisitor(yamux, clientId, nonce.path("nonce").asText());
  }

  public String nonce() {
    return nonce;
  }

  /** The request JSON of a visit to {@code target} with sequence number {@code seq}, proven. */
  public String visitRequest(String target, long seq, String secret) {
    String proof =
        VisitProof.proof(VisitProof.visitorKey(secret, target), nonce, seq, target, clientId);
    return "{\"kind\":\"visit\",\"target\":\""
        + target
        + "\",\"seq\":"
        + seq
        + ",\"proof\":\""
        + proof
        + "\"}";
  }

  /** Opens a stream, sends {@code requestJson} framed, and returns the server's reply JSON. */
  public JsonNode open(String requestJson) throws IOException {
    int id = nextStream;
    nextStream += 2;
    yamux.send(RawYamux.data(RawYamux.SYN, id, RawYamux.streamHeader(requestJson)));
    return readReply(id);
  }

  /** Opens a stream and sends nothing on it; returns the server's reply JSON. */
  public JsonNode openSilent() throws IOException {
    int id = nextStream;
    nextStream += 2;
    yamux.send(RawYamux.header(RawYamux.WINDOW_UPDATE, RawYamux.SYN, id, 0));
    return readReply(id);
  }

  private JsonNode readReply(int id) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    while (true) {
      RawYamux.Frame f = yamux.readFrame();
      if (f.type() == RawYamux.DATA && f.streamId() == id) {
        got.writeBytes(f.payload());
        byte[] all = got.toByteArray();
        if (all.length >= 2) {
          int len = ((all[0] & 0xff) << 8) | (all[1] & 0xff);
          if (all.length >= 2 + len) {
            return JSON.readTree(new String(all, 2, len, StandardCharsets.UTF_8));
          }
        }
      } else if (f.type() == RawYamux.PING && (f.flags() & RawYamux.SYN) != 0) {
        yamux.send(RawYamux.header(RawYamux.PING, RawYamux.ACK, 0, f.length()));
      }
    }
  }

  public RawYamux yamux() {
    return yamux;
  }

  @Override
  public void close() throws IOException {
    yamux.close();
  }
}
