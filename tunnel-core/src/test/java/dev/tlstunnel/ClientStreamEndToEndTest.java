package dev.tlstunnel;

import static dev.tlstunnel.testing.RawYamux.DATA;
import static dev.tlstunnel.testing.RawYamux.FIN;
import static dev.tlstunnel.testing.RawYamux.RST;
import static dev.tlstunnel.testing.RawYamux.SYN;
import static dev.tlstunnel.testing.RawYamux.data;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams a client opens after the control stream, on the wire: each starts with a request frame
 * naming its kind; unknown kinds, streams of an unauthenticated tunnel and egress on a server that
 * does not forward are refused, and the session carries on.
 */
@Timeout(60)
class ClientStreamEndToEndTest {
  @TempDir Path dir;
  TunnelFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new TunnelFixture(dir);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private RawYamux raw(TunnelServer server) throws Exception {
    return RawYamux.connect(
        RawYamux.trusting(fixture.pki().cert()), "127.0.0.1", server.address().getPort());
  }

  private static byte[] frame(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + body.length).putShort((short) body.length).put(body).array();
  }

  /** Reads stream {@code id}'s data until FIN or RST; the data read. */
  private static String readUntilEnd(RawYamux raw, int id) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    while (true) {
      RawYamux.Frame f = raw.readFrame();
      if (f.streamId() != id) {
        continue;
      }
      if (f.type() == DATA) {
        got.writeBytes(f.payload());
      }
      if ((f.flags() & (FIN | RST)) != 0) {
        return got.toString(StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void unknownKindAndMalformedRequestsAreRefusedAndTheSessionGoesOn() throws Exception {
    TunnelServer server = fixture.startServer();
    try (RawYamux raw = raw(server)) {
      assertThat(raw.authenticate(TunnelFixture.KEY, "raw")).contains("\"ok\":true");
      raw.send(data(SYN, 3, frame("{\"kind\":\"teleport\",\"to\":\"mars\"}")));
      assertThat(readUntilEnd(raw, 3))
          .contains("\"ok\":false", "\"reason\":\"unknown_kind\"", "'teleport'");
      raw.send(data(SYN, 5, frame("{\"no_kind\":1}")));
      assertThat(readUntilEnd(raw, 5)).contains("\"reason\":\"malformed\"");
      assertThat(raw.answersPing(7)).isTrue();
    }
  }

  @Test
  void egressIsRefusedWhenTheServerDoesNotForward() throws Exception {
    TunnelServer server = fixture.startServer();
    try (RawYamux raw = raw(server)) {
      raw.authenticate(TunnelFixture.KEY, "raw");
      raw.send(data(SYN, 3, frame("{\"kind\":\"egress\",\"host\":\"example.com\",\"port\":80}")));
      String reply = readUntilEnd(raw, 3);
      assertThat(reply.substring(2))
          .contains("\"ok\":false", "\"reason\":\"not_allowed\"", "server.allow_forward is off");
    }
  }

  @Test
  void egressIsRefusedToClientsNotListed() throws Exception {
    ServerConfig config =
        TunnelFixture.built(
            fixture
                .serverBuilder()
                .egress(
                    new EgressConfig(
                        true,
                        EgressRules.DEFAULT,
                        Map.of("someone-else", EgressRules.DEFAULT),
                        null)));
    TunnelServer server = fixture.startServer(config);
    try (RawYamux raw = raw(server)) {
      raw.authenticate(TunnelFixture.KEY, "raw");
      raw.send(data(SYN, 3, frame("{\"kind\":\"egress\",\"host\":\"127.0.0.1\",\"port\":80}")));
      assertThat(readUntilEnd(raw, 3))
          .contains("\"reason\":\"not_allowed\"", "client 'raw' is not in server.egress.clients");
    }
  }

  @Test
  void aStreamWithoutItsRequestIsRefusedAfterTheHandshakeTimeout() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(fixture.serverBuilder().handshakeTimeout(Duration.ofMillis(500))));
    try (RawYamux raw = raw(server)) {
      raw.authenticate(TunnelFixture.KEY, "raw");
      raw.send(RawYamux.header(RawYamux.WINDOW_UPDATE, SYN, 3, 0)); // opened, nothing sent
      long start = System.nanoTime();
      assertThat(readUntilEnd(raw, 3))
          .contains("\"reason\":\"timeout\"", "handshake_timeout=500ms");
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(400);
      assertThat(raw.answersPing(9)).isTrue();
    }
  }

  @Test
  void streamsBeforeAuthenticationAreRefused() throws Exception {
    TunnelServer server =
        fixture.startServer(
            TunnelFixture.built(
                fixture.serverBuilder().egress(EgressConfig.allowing(EgressRules.DEFAULT))));
    try (RawYamux raw = raw(server)) {
      raw.send(data(SYN, 1, new byte[0])); // the control stream, no hello yet
      raw.send(data(SYN, 3, frame("{\"kind\":\"egress\",\"host\":\"127.0.0.1\",\"port\":80}")));
      assertThat(readUntilEnd(raw, 3)).contains("\"reason\":\"not_authenticated\"");
    }
  }
}
