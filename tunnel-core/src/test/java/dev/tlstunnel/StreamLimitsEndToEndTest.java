package dev.tlstunnel;

import static dev.tlstunnel.testing.RawYamux.FIN;
import static dev.tlstunnel.testing.RawYamux.SYN;
import static dev.tlstunnel.testing.RawYamux.WINDOW_UPDATE;
import static dev.tlstunnel.testing.RawYamux.concat;
import static dev.tlstunnel.testing.RawYamux.data;
import static dev.tlstunnel.testing.RawYamux.header;
import static dev.tlstunnel.testing.RawYamux.register;
import static dev.tlstunnel.testing.RawYamux.streamHeader;
import static dev.tlstunnel.testing.TunnelFixture.KEY;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.server.ServerSnapshot;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.RawStreams;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounds on one session's streams, lowered in {@code [server.limits]}, over real TLS: {@code
 * max_streams_per_session} for streams the server opens (a real client) and streams the client
 * opens (hand-built yamux), and {@code max_pending_connects}. Each breach closes only the offending
 * public connection or stream with one WARN line naming the bound by its key; the session's other
 * streams and another client keep relaying byte-exact.
 */
@Timeout(60)
class StreamLimitsEndToEndTest extends LimitsEndToEndBase {
  private static final int MIB = 1024 * 1024;
  private static final int PUSHED = 200 * 1024;
  private final ExecutorService writers = Executors.newCachedThreadPool();

  @AfterEach
  void stopWriters() {
    writers.shutdownNow();
  }

  private static Limits streams(int max) {
    return TunnelFixture.built(
        Limits.builder()
            .maxControlFrame(Limits.CEILING_CONTROL_FRAME)
            .maxStreamsPerSession(max)
            .maxReceiveWindow(8 * MIB)
            .maxFramePayload(64 * 1024));
  }

  @Test
  void aStreamBeyondTheSessionBoundIsNotOpenedAndOnlyItsPublicConnectionCloses() throws Exception {
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().limits(streams(2))));
    int port = echoClient(server, "c1", "echo");
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all()) {
      Socket a = connect(port);
      assertThat(Streams.echoesExactly(a, 1, MIB)).isTrue();
      assertThat(Streams.closedByPeer(connect(port))).as("no room for a second stream").isTrue();
      assertThat(logs.warnings("max_streams_per_session"))
          .singleElement()
          .asString()
          .startsWith("[client=c1, proxy=echo] cannot open a stream for /127.0.0.1:")
          .contains(
              "limit max_streams_per_session=2 reached (2 open, 0 closed here awaiting the"
                  + " peer's FIN)");
      assertThat(Streams.echoesExactly(a, 2, MIB)).as("the open stream still relays").isTrue();
      assertThat(Streams.echoesExactly(connect(other), 3, MIB)).as("another client").isTrue();
      a.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> Streams.echoes(port));
    }
  }

  @Test
  void aStreamTheClientOpensBeyondTheBoundIsResetAndItsSessionStays() throws Exception {
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().limits(streams(2))));
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all();
        RawYamux raw = raw(server)) {
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      // A data stream of a kind the server does not know is answered with a refusal and ended at
      // once. Until the client ends it too, it counts towards the bound.
      raw.send(data(SYN, 3, streamHeader("{\"kind\":\"none\"}")));
      assertThat(RawStreams.until(raw, "WINDOW_UPDATE FIN 3"))
          .containsExactly("WINDOW_UPDATE ACK 3", "DATA 0 3", "WINDOW_UPDATE FIN 3");
      raw.send(concat(data(SYN, 5, new byte[100]), header(WINDOW_UPDATE, SYN, 7, 0)));
      assertThat(RawStreams.until(raw, "WINDOW_UPDATE RST 7"))
          .containsExactly("WINDOW_UPDATE RST 5", "WINDOW_UPDATE RST 7");
      assertThat(raw.answersPing(42)).as("the session stays").isTrue();
      assertThat(logs.warnings("max_streams_per_session"))
          .singleElement()
          .asString()
          .startsWith("[yamux [id: ")
          .endsWith(
              "limit max_streams_per_session=2 reached (1 open, 1 closed here awaiting the peer's"
                  + " FIN); refusing stream 5 opened by the peer (RST)");
      assertThat(Streams.echoesExactly(connect(other), 4, MIB)).as("another client").isTrue();

      raw.send(
          concat(
              header(WINDOW_UPDATE, FIN, 3, 0), data(SYN, 9, streamHeader("{\"kind\":\"none\"}"))));
      assertThat(RawStreams.until(raw, "WINDOW_UPDATE FIN 9"))
          .as("room again once the client ended stream 3")
          .containsExactly("WINDOW_UPDATE ACK 9", "DATA 0 9", "WINDOW_UPDATE FIN 9");
      assertThat(logs.warnings("max_streams_per_session")).hasSize(1);
    }
  }

  @Test
  void connectionsBeyondThePendingBoundCloseWhileThePendingOnesGetTheirStreams() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture
                    .serverBuilder()
                    .limits(
                        TunnelFixture.built(
                            Limits.builder()
                                .maxProxiesPerClient(256)
                                .maxConnectionsPerProxy(1024)
                                .maxPendingConnects(4)))));
    int other = echoClient(server, "c2", "other");
    try (LogCapture logs = LogCapture.all();
        RawYamux raw = raw(server)) {
      assertThat(raw.authenticate(KEY, "raw")).contains("\"ok\":true");
      raw.send(data(0, 1, register("p")));
      int port = publishedPort(server, "p");
      // The raw client reads nothing now. Each public connection pushes 200 KiB (within its
      // stream's window) until the tunnel's socket buffers are full; then SYNs of new streams wait
      // in the server's outbound buffer and their public connections stay pending.
      Map<Integer, Future<byte[]>> pushed = new LinkedHashMap<>();
      Socket refused = null;
      for (int i = 0; i < 300 && refused == null; i++) {
        Socket s = connect(port);
        int admittedBefore = pushed.size();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    publicConnections(server, "raw") > admittedBefore
                        || !logs.warnings("max_pending_connects").isEmpty());
        if (publicConnections(server, "raw") > admittedBefore) {
          long seed = i;
          pushed.put(
              s.getLocalPort(),
              writers.submit(() -> Streams.writeRandom(s.getOutputStream(), seed, PUSHED)));
        } else {
          refused = s;
        }
      }
      assertThat(refused).as("a connection was refused within 300").isNotNull();
      assertThat(Streams.closedByPeer(refused)).isTrue();
      assertThat(logs.warnings("max_pending_connects"))
          .singleElement()
          .asString()
          .startsWith(
              "limit max_pending_connects=4 reached for proxy 'p' (client 'raw'); closing"
                  + " connection from /127.0.0.1:"
                  + refused.getLocalPort());

      Map<Integer, byte[]> arrived = RawStreams.receive(raw, pushed.size(), PUSHED);
      assertThat(arrived.keySet()).containsExactlyInAnyOrderElementsOf(pushed.keySet());
      for (Map.Entry<Integer, Future<byte[]>> e : pushed.entrySet()) {
        assertThat(arrived.get(e.getKey())).as("port %d", e.getKey()).isEqualTo(e.getValue().get());
      }
      assertThat(pushed.size()).as("more than the pending bound were admitted").isGreaterThan(4);
      assertThat(raw.answersPing(7)).as("the session stays").isTrue();
      assertThat(Streams.echoesExactly(connect(other), 5, MIB)).as("another client").isTrue();
      assertThat(logs.warnings("max_pending_connects")).hasSize(1);
    }
  }

  private static int publicConnections(TunnelServer server, String clientId) {
    return server.snapshot().sessions().stream()
        .filter(s -> s.clientId().equals(clientId))
        .mapToInt(ServerSnapshot.SessionInfo::publicConnections)
        .sum();
  }
}
