package dev.tlstunnel;

import static dev.tlstunnel.testing.RawYamux.DATA;
import static dev.tlstunnel.testing.RawYamux.SYN;
import static dev.tlstunnel.testing.RawYamux.WINDOW_UPDATE;
import static dev.tlstunnel.testing.RawYamux.control;
import static dev.tlstunnel.testing.RawYamux.data;
import static dev.tlstunnel.testing.RawYamux.frame;
import static dev.tlstunnel.testing.RawYamux.header;
import static dev.tlstunnel.testing.RawYamux.register;
import static dev.tlstunnel.testing.TunnelFixture.KEY;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.RawStreams;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounds on frames, lowered in {@code [server.limits]}, over real TLS with hand-built yamux:
 * {@code max_control_frame} before and after authentication, {@code max_receive_window} (a data
 * frame above it, and data beyond the window granted), and {@code max_frame_payload}, which bounds
 * what the server sends: its frames are split at the lowered size on the wire and the stream still
 * relays byte-exact. Each breach ends only the offending connection with one WARN line naming the
 * bound by its key; another client keeps relaying byte-exact.
 */
@Timeout(60)
class FrameLimitsEndToEndTest extends LimitsEndToEndBase {
  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  private TunnelServer start(int controlFrame, int receiveWindow, int framePayload)
      throws Exception {
    Limits limits =
        TunnelFixture.built(
            Limits.builder()
                .maxControlFrame(controlFrame)
                .maxStreamsPerSession(Limits.CEILING_STREAMS)
                .maxReceiveWindow(receiveWindow)
                .maxFramePayload(framePayload));
    return fixture.startServer(TunnelFixture.built(fixture.serverBuilder().limits(limits)));
  }

  private TunnelServer withControlFrame(int bytes) throws Exception {
    return start(bytes, 8 * MIB, 64 * KIB);
  }

  /** A control frame: the 4-byte length as given, then {@code body}. */
  private static byte[] controlFrame(int length, byte[] body) {
    return ByteBuffer.allocate(4 + body.length).putInt(length).put(body).array();
  }

  private static boolean hasSession(TunnelServer server, String clientId) {
    return server.snapshot().sessions().stream().anyMatch(s -> s.clientId().equals(clientId));
  }

  @Test
  void aControlFrameAboveTheBoundBeforeAuthenticationClosesThatConnection() throws Exception {
    TunnelServer server = withControlFrame(4096);
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      RawYamux raw = raw(server);
      raw.send(data(SYN, 1, controlFrame(4097, new byte[10])));
      assertThat(raw.awaitEnd(5_000).closed()).isTrue();
      assertThat(logs.warnings("max_control_frame"))
          .singleElement()
          .asString()
          .startsWith("Closing connection from /127.0.0.1:" + raw.socket().getLocalPort() + ": ")
          .endsWith("limit max_control_frame=4096 exceeded by a control frame of 4097 bytes");
      assertThat(Streams.echoesExactly(connect(other), 1, MIB)).as("another client").isTrue();
    }
  }

  @Test
  void aControlFrameAboveTheBoundAfterAuthenticationEndsOnlyThatSession() throws Exception {
    TunnelServer server = withControlFrame(4096);
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      RawYamux raw = raw(server);
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      String head = "{\"type\":\"heartbeat\",\"timestamp_millis\":7,\"reply\":false";
      String exactly = head + " ".repeat(4096 - head.length() - 1) + "}";
      raw.send(data(0, 1, control(exactly)));
      String reply = raw.readControl(1);
      // the session's visit_nonce follows auth_result, in the same frame or the next one
      if (reply.contains("\"visit_nonce\"")) {
        reply = raw.readControl(1);
      }
      assertThat(reply).as("a frame of exactly the bound is served").contains("7");
      raw.send(data(0, 1, controlFrame(4097, new byte[10])));
      assertThat(raw.awaitEnd(5_000).closed()).isTrue();
      assertThat(logs.warnings("max_control_frame"))
          .singleElement()
          .asString()
          .isEqualTo(
              "[client=raw] control stream failed: limit max_control_frame=4096 exceeded by a"
                  + " control frame of 4097 bytes");
      await().atMost(Duration.ofSeconds(5)).until(() -> !hasSession(server, "raw"));
      assertThat(hasSession(server, "c2")).isTrue();
      assertThat(Streams.echoesExactly(connect(other), 2, MIB)).as("another client").isTrue();
    }
  }

  @Test
  void aDataFrameAboveTheLoweredReceiveWindowEndsOnlyThatSession() throws Exception {
    TunnelServer server = start(Limits.CEILING_CONTROL_FRAME, 256 * KIB, 64 * KIB);
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      RawYamux raw = raw(server);
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      // Within the default bound (8 MiB), above the lowered one.
      raw.send(frame(0, DATA, 0, 1, 256 * KIB + 1, new byte[16]));
      assertThat(raw.awaitEnd(5_000)).isEqualTo(new RawYamux.Ending(true, 1));
      assertThat(logs.warnings("max_receive_window"))
          .singleElement()
          .asString()
          .endsWith(
              "protocol error: malformed frame: yamux data frame of 262145 bytes on stream 1"
                  + " exceeds limit max_receive_window=262144; closing session");
      assertThat(Streams.echoesExactly(connect(other), 3, MIB)).as("another client").isTrue();
    }
  }

  @Test
  void dataBeyondTheWindowGrantedEndsOnlyThatSession() throws Exception {
    TunnelServer server = start(Limits.CEILING_CONTROL_FRAME, 256 * KIB, 64 * KIB);
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      RawYamux raw = raw(server);
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      raw.send(data(0, 1, register("p")));
      connect(publishedPort(server, "p")); // never reads: the server's stream stops draining
      RawStreams.until(raw, "WINDOW_UPDATE SYN 2");
      // Ignore window updates and send until the server ends the session (at most 256 MiB).
      byte[] chunk = data(0, 2, new byte[16 * KIB]);
      try {
        for (int i = 0; i < 16 * KIB; i++) {
          raw.send(chunk);
        }
      } catch (IOException e) {
        // The server closed the connection: judged below.
      }
      assertThat(raw.awaitEnd(5_000).closed()).isTrue();
      assertThat(logs.warnings("max_receive_window"))
          .singleElement()
          .asString()
          .contains("protocol error: stream 2 sent 16384 bytes with ")
          .endsWith(
              " left in its receive window (limit max_receive_window=262144); closing session");
      await().atMost(Duration.ofSeconds(5)).until(() -> !hasSession(server, "raw"));
      assertThat(Streams.echoesExactly(connect(other), 4, MIB)).as("another client").isTrue();
    }
  }

  @Test
  void theServerSplitsItsFramesAtTheLoweredPayloadAndRelaysByteExact() throws Exception {
    TunnelServer server = start(Limits.CEILING_CONTROL_FRAME, 8 * MIB, KIB);
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      RawYamux raw = raw(server);
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      raw.send(data(0, 1, register("p")));
      Socket pub = connect(publishedPort(server, "p"));
      Echoer echoer = new Echoer(raw);
      assertThat(echoer.echoes(pub, 5, MIB)).as("relayed both ways byte-exact").isTrue();
      assertThat(echoer.largestFrame).as("no frame above max_frame_payload").isEqualTo(KIB);
      assertThat(echoer.frames).isGreaterThanOrEqualTo(MIB / KIB);
      assertThat(Streams.echoesExactly(connect(other), 6, 4 * MIB)).as("a real client").isTrue();
      assertThat(logs.warnings("limit ")).isEmpty();
    }
  }

  /**
   * Plays the client of one server-opened stream by hand: echoes what arrives after the stream
   * header, within the server's window, returns each data frame's bytes as window, and records the
   * size of the server's data frames.
   */
  private static final class Echoer {
    private final RawYamux raw;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private int pendingOffset;
    int largestFrame;
    int frames;

    Echoer(RawYamux raw) {
      this.raw = raw;
    }

    boolean echoes(Socket pub, long seed, int length) throws Exception {
      CompletableFuture<Boolean> result = new CompletableFuture<>();
      Thread publicSide =
          new Thread(
              () -> {
                try {
                  result.complete(Streams.echoesExactly(pub, seed, length));
                } catch (Exception e) {
                  result.completeExceptionally(e);
                }
              },
              "public-side");
      publicSide.start();
      serve(length);
      return result.get(30, TimeUnit.SECONDS);
    }

    private void serve(int length) throws IOException {
      int stream = -1;
      long credit = 256 * KIB;
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      boolean headerDone = false;
      int echoed = 0;
      while (echoed < length) {
        RawYamux.Frame f = RawStreams.next(raw);
        if (stream < 0 && f.streamId() % 2 == 0 && (f.flags() & SYN) != 0) {
          stream = f.streamId();
        }
        if (f.streamId() != stream) {
          continue;
        }
        if (f.type() == WINDOW_UPDATE) {
          credit += f.length();
        } else if (f.type() == DATA && f.payload().length > 0) {
          frames++;
          largestFrame = Math.max(largestFrame, f.payload().length);
          raw.send(header(WINDOW_UPDATE, 0, stream, f.payload().length));
          if (headerDone) {
            pending.add(f.payload());
          } else {
            head.writeBytes(f.payload());
            byte[] h = head.toByteArray();
            if (RawStreams.peerPort(h) >= 0) {
              headerDone = true;
              pending.add(Arrays.copyOfRange(h, RawStreams.headerLength(h), h.length));
            }
          }
        }
        while (credit > 0 && !pending.isEmpty()) {
          byte[] p = pending.peek();
          int n = (int) Math.min(Math.min(16 * KIB, credit), p.length - pendingOffset);
          raw.send(data(0, stream, Arrays.copyOfRange(p, pendingOffset, pendingOffset + n)));
          credit -= n;
          echoed += n;
          pendingOffset += n;
          if (pendingOffset == p.length) {
            pending.poll();
            pendingOffset = 0;
          }
        }
      }
    }
  }
}
