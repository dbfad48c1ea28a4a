package dev.tlstunnel.visitor;

import static dev.tlstunnel.testing.VisitorRig.localPort;
import static dev.tlstunnel.testing.VisitorRig.visitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.RawVisitor;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.testing.VisitorRig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a visit is refused: its own reason on the visitor (status and one log line per cause),
 * one WARN on the server naming visitor and target, the local connection closed at once, and no
 * stream ever opened to the publisher.
 */
@Timeout(90)
class VisitorRefusalTest extends EchoTunnelTest {

  private static Class<?> serverVisits() throws ClassNotFoundException {
    return Class.forName("dev.tlstunnel.server.VisitHandler");
  }

  /** Limits without the auth penalty, so that refusals do not turn into penalties. */
  private static Limits noPenalty() {
    return TunnelFixture.built(Limits.DEFAULT.toBuilder().authPenaltyMax(Duration.ZERO));
  }

  /**
   * Starts the publisher and a client {@code visitorId} with {@code visitor}, makes {@code
   * attempts} connections (each must be closed at once), and checks both sides' logs.
   */
  private VisitorState refused(String visitorId, VisitorConfig visitor, int attempts, String reason)
      throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    TunnelClient office = rig.startPublisher(echo.port());
    try (LogCapture visitorLog = new LogCapture(Visitor.class);
        LogCapture serverLog = new LogCapture(serverVisits())) {
      TunnelClient client = rig.startVisitor(visitorId, List.of(visitor));
      int port = localPort(client, visitor.name());
      for (int i = 0; i < attempts; i++) {
        try (Socket s = Streams.connect(port, 5_000)) {
          s.getOutputStream().write("must not arrive".getBytes(StandardCharsets.UTF_8));
          assertThat(Streams.closedByPeer(s)).as("attempt %d closed at once", i).isTrue();
        }
      }
      await().until(() -> visitor(client, visitor.name()).activeConnections() == 0);
      assertThat(visitorLog.warnings("cannot reach"))
          .as("one line per cause on the visitor")
          .hasSize(1)
          .allMatch(m -> m.contains("(" + reason + ")"));
      assertThat(serverLog.warnings("refused"))
          .as("one WARN on the server naming visitor and target")
          .hasSize(1)
          .allMatch(
              m ->
                  m.startsWith("Visitor '" + visitorId + "' from ")
                      && m.contains("refused for '" + visitor.target() + "'")
                      && m.endsWith("(" + reason + ")"));
      assertThat(office.openStreams()).as("no stream reached the publisher").isZero();
      assertThat(echo.accepted()).isZero();
      VisitorState state = visitor(client, visitor.name());
      assertThat(state.status()).as("still listening").isEqualTo(ProxyStatus.HEALTHY);
      assertThat(state.totalConnections()).isEqualTo(attempts);
      return state;
    }
  }

  @Test
  void wrongSecret() throws Exception {
    VisitorState state =
        refused(
            VisitorRig.VISITOR,
            VisitorConfig.of("echo", "office/echo", 0, "not-the-secret-0123456789"),
            1,
            "wrong_secret");
    assertThat(state.lastError())
        .startsWith("the proof does not match the secret of office/echo")
        .endsWith("(wrong_secret)");
  }

  @Test
  void unknownProxy() throws Exception {
    VisitorState state =
        refused(
            VisitorRig.VISITOR,
            VisitorConfig.of("nope", "office/nope", 0, VisitorRig.SECRET),
            3,
            "unknown_proxy");
    assertThat(state.lastError())
        .isEqualTo("client 'office' has no private proxy 'nope' (unknown_proxy)");
  }

  @Test
  void visitorNotAllowed() throws Exception {
    VisitorState state =
        refused(
            "intruder",
            VisitorConfig.of("echo", "office/echo", 0, VisitorRig.SECRET),
            3,
            "not_allowed");
    assertThat(state.lastError())
        .isEqualTo("client 'intruder' is not in allowed_visitors of office/echo (not_allowed)");
  }

  @Test
  void targetClientOffline() throws Exception {
    VisitorState state =
        refused(
            VisitorRig.VISITOR,
            VisitorConfig.of("home", "home/echo", 0, VisitorRig.SECRET),
            3,
            "target_offline");
    assertThat(state.lastError()).isEqualTo("client 'home' is not connected (target_offline)");
  }

  @Test
  void aPublicProxyCannotBeVisited() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    rig.startPublisher(List.of(TunnelFixture.proxy("echo", 0, echo.port())));
    TunnelClient laptop = rig.startVisitor();
    try (Socket s = Streams.connect(localPort(laptop, "echo"), 5_000)) {
      assertThat(Streams.closedByPeer(s)).isTrue();
    }
    await()
        .until(
            () -> visitor(laptop, "echo").lastError(),
            e -> e != null && e.endsWith("(unknown_proxy)"));
  }

  @Test
  void aCapturedProofReplayedIsRefused() throws Exception {
    TunnelServer server =
        fixture.startServer(TunnelFixture.built(fixture.serverBuilder().limits(noPenalty())));
    VisitorRig rig = new VisitorRig(fixture, server);
    TunnelClient office = rig.startPublisher(echo.port());
    SSLContext tls = RawYamux.trusting(fixture.pki().cert());
    int port = server.address().getPort();
    String captured;
    try (RawVisitor laptop = RawVisitor.connect(tls, port, TunnelFixture.KEY, "laptop")) {
      captured = laptop.visitRequest("office/echo", 1, VisitorRig.SECRET);
      assertThat(laptop.open(captured).path("ok").asBoolean()).isTrue();
      await().until(() -> office.openStreams() == 1);
      JsonNode replayed = laptop.open(captured);
      assertThat(replayed.path("ok").asBoolean()).isFalse();
      assertThat(replayed.path("reason").asText()).isEqualTo("replayed");
      assertThat(replayed.path("message").asText()).contains("sequence number 1 was used already");
      JsonNode next = laptop.open(laptop.visitRequest("office/echo", 2, VisitorRig.SECRET));
      assertThat(next.path("ok").asBoolean()).isTrue();
    }
    try (RawVisitor again = RawVisitor.connect(tls, port, TunnelFixture.KEY, "laptop")) {
      // A new session has a new nonce: the proof of the old one does not hold.
      JsonNode replayed = again.open(captured);
      assertThat(replayed.path("reason").asText()).isEqualTo("wrong_secret");
    }
    await().until(() -> office.openStreams() == 0);
    assertThat(echo.accepted()).isEqualTo(2);
  }

  @Test
  void failedProofsCountTowardsTheAuthPenalty() throws Exception {
    TunnelServer server = fixture.startServer();
    VisitorRig rig = new VisitorRig(fixture, server);
    TunnelClient office = rig.startPublisher(echo.port());
    SSLContext tls = RawYamux.trusting(fixture.pki().cert());
    try (RawVisitor laptop =
        RawVisitor.connect(tls, server.address().getPort(), TunnelFixture.KEY, "laptop")) {
      JsonNode wrong = laptop.open(laptop.visitRequest("office/echo", 1, "a-wrong-secret-012345"));
      assertThat(wrong.path("reason").asText()).isEqualTo("wrong_secret");
      assertThat(wrong.path("message").asText()).endsWith("refusing this address for 1000 ms");
      // Even the right proof is refused while the address serves its penalty...
      JsonNode right = laptop.open(laptop.visitRequest("office/echo", 2, VisitorRig.SECRET));
      assertThat(right.path("reason").asText()).isEqualTo("penalty");
      // ... and so is a new tunnel connection from it.
      long rejected = server.snapshot().rejectedConnections();
      try (RawYamux other = RawYamux.connect(tls, "127.0.0.1", server.address().getPort())) {
        assertThat(other.awaitEnd(2_000).closed()).isTrue();
      } catch (java.io.IOException refusedBeforeTls) {
        // the server closed the connection before the handshake completed
      }
      assertThat(server.snapshot().rejectedConnections()).isGreaterThan(rejected);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  laptop
                      .open(laptop.visitRequest("office/echo", 3, VisitorRig.SECRET))
                      .path("ok")
                      .asBoolean());
    }
    assertThat(office.openStreams()).isLessThanOrEqualTo(1);
  }

  @Test
  void unknownKindIsRefusedAndTheSessionKeepsWorking() throws Exception {
    TunnelServer server = fixture.startServer();
    SSLContext tls = RawYamux.trusting(fixture.pki().cert());
    try (RawVisitor raw =
        RawVisitor.connect(tls, server.address().getPort(), TunnelFixture.KEY, "raw")) {
      JsonNode reply = raw.open("{\"kind\":\"teleport\",\"to\":\"mars\"}");
      assertThat(reply.path("ok").asBoolean()).isFalse();
      assertThat(reply.path("reason").asText()).isEqualTo("unknown_kind");
      assertThat(reply.path("message").asText()).isEqualTo("unknown stream kind 'teleport'");
      JsonNode malformed = raw.open("{\"kind\":\"visit\",\"target\":\"a/b\",\"seq\":\"x\"}");
      assertThat(malformed.path("reason").asText()).isEqualTo("malformed");
      assertThat(raw.yamux().answersPing(42)).isTrue();
    }
  }

  @Test
  void aStreamWithoutARequestIsRefusedAfterTheHandshakeTimeout() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(fixture.serverBuilder().handshakeTimeout(Duration.ofMillis(500))));
    SSLContext tls = RawYamux.trusting(fixture.pki().cert());
    try (RawVisitor raw =
        RawVisitor.connect(tls, server.address().getPort(), TunnelFixture.KEY, "raw")) {
      long start = System.nanoTime();
      JsonNode reply = raw.openSilent();
      assertThat(reply.path("reason").asText()).isEqualTo("timeout");
      assertThat(reply.path("message").asText())
          .isEqualTo("no stream request within handshake_timeout=500ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      assertThat(raw.yamux().answersPing(7)).as("the session stays").isTrue();
    }
  }

  @Test
  void streamsOpenedBeforeAuthenticationAreRefused() throws Exception {
    TunnelServer server = fixture.startServer();
    SSLContext tls = RawYamux.trusting(fixture.pki().cert());
    try (RawYamux raw = RawYamux.connect(tls, "127.0.0.1", server.address().getPort())) {
      raw.send(RawYamux.data(RawYamux.SYN, 1, new byte[0]));
      raw.send(
          RawYamux.data(
              RawYamux.SYN,
              3,
              RawYamux.streamHeader(
                  "{\"kind\":\"visit\",\"target\":\"a/b\",\"seq\":1,\"proof\":\"x\"}")));
      StringBuilder reply = new StringBuilder();
      while (reply.indexOf("}") < 0) {
        RawYamux.Frame f = raw.readFrame();
        if (f.type() == RawYamux.DATA && f.streamId() == 3 && f.payload().length > 0) {
          reply.append(new String(f.payload(), StandardCharsets.UTF_8));
        }
      }
      assertThat(reply.toString()).contains("\"reason\":\"not_authenticated\"");
    }
  }
}
