package dev.tlstunnel;

import static dev.tlstunnel.testing.RawYamux.ACK;
import static dev.tlstunnel.testing.RawYamux.DATA;
import static dev.tlstunnel.testing.RawYamux.FIN;
import static dev.tlstunnel.testing.RawYamux.GO_AWAY;
import static dev.tlstunnel.testing.RawYamux.PING;
import static dev.tlstunnel.testing.RawYamux.RST;
import static dev.tlstunnel.testing.RawYamux.SYN;
import static dev.tlstunnel.testing.RawYamux.WINDOW_UPDATE;
import static dev.tlstunnel.testing.RawYamux.concat;
import static dev.tlstunnel.testing.RawYamux.control;
import static dev.tlstunnel.testing.RawYamux.data;
import static dev.tlstunnel.testing.RawYamux.frame;
import static dev.tlstunnel.testing.RawYamux.header;
import static dev.tlstunnel.testing.RawYamux.hello;
import static dev.tlstunnel.testing.TunnelFixture.KEY;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile bytes over a real TLS connection (the JDK's {@code SSLSocket}, yamux frames built by
 * hand) to a real server. Each case checks that the server closed or kept that connection as
 * docs/PROTOCOL.md says, then that a fresh {@link TunnelClient} still authenticates and relays, and
 * that a client connected all along was not disturbed. At the end, the JVM's open file descriptors
 * are back where they started and the leak detector is clean.
 */
@ExtendWith(LeakDetectorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HostileInputEndToEndTest {
  /** Deadline for TLS plus authentication on this server. */
  private static final int DEADLINE_MS = 4_000;

  /**
   * A prompt close must come well before the deadline, so the deadline cannot be mistaken for it.
   */
  private static final int PROMPT_MS = 2_000;

  private static final long SEED = 20_251_124L;

  private TunnelFixture fixture;
  private EchoService echo;
  private TunnelServer server;
  private SSLContext tls;
  private int steadyPort;
  private long fdsBefore;
  private int clients;

  enum Expect {
    /** The session answers a ping afterwards. */
    OPEN,
    /** Closed promptly with go-away "protocol error" first. */
    PROTOCOL_ERROR,
    /** Closed promptly (with or without go-away). */
    CLOSED,
    /** Not closed promptly, but by the authentication deadline. */
    DEADLINE
  }

  record Case(String name, boolean authFirst, byte[] bytes, Expect expect) {}

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
    server =
        fixture.startServer(
            TunnelFixture.built(
                fixture.serverBuilder().handshakeTimeout(Duration.ofMillis(DEADLINE_MS))));
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(), "steady", List.of(proxy("steady", 0, echo.port()))));
    steadyPort = publishedPort(server, "steady");
    tls = RawYamux.trusting(fixture.pki().cert());
    assertThat(Streams.echoes(steadyPort)).isTrue();
    fdsBefore = openFds();
  }

  @AfterAll
  void stop() throws Exception {
    fixture.close();
    echo.close();
  }

  @TestFactory
  Stream<DynamicTest> hostileInputLeavesTheServerServing() {
    return Stream.concat(
        cases().stream()
            .map(c -> DynamicTest.dynamicTest(c.name() + " -> " + c.expect(), () -> run(c))),
        Stream.of(
            DynamicTest.dynamicTest(
                "file descriptors are back where they started", this::fdsAreStable)));
  }

  private void fdsAreStable() {
    // Sockets close asynchronously on the server's loops; 16 covers loggers, jars and GC noise.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(openFds()).isLessThanOrEqualTo(fdsBefore + 16));
    assertThat(server.snapshot().sessions()).hasSize(1);
  }

  private void run(Case c) throws Exception {
    try (RawYamux raw = RawYamux.connect(tls, "127.0.0.1", server.address().getPort())) {
      if (c.authFirst()) {
        assertThat(raw.authenticate(KEY, "raw-" + clients)).contains("\"ok\":true");
      }
      try {
        raw.send(c.bytes());
      } catch (IOException e) {
        // The server may close while a large hostile write is still going: judged below.
      }
      switch (c.expect()) {
        case OPEN -> assertThat(raw.answersPing(0x5eed)).as("session answers a ping").isTrue();
        case PROTOCOL_ERROR ->
            assertThat(raw.awaitEnd(PROMPT_MS)).isEqualTo(new RawYamux.Ending(true, 1));
        case CLOSED -> assertThat(raw.awaitEnd(PROMPT_MS).closed()).as("closed promptly").isTrue();
        case DEADLINE -> {
          assertThat(raw.awaitEnd(PROMPT_MS).closed()).as("closed before the deadline").isFalse();
          assertThat(raw.awaitEnd(DEADLINE_MS + 3_000).closed()).as("closed by it").isTrue();
        }
        default -> throw new IllegalStateException();
      }
    }
    assertLegitClientStillWorks();
  }

  private void assertLegitClientStillWorks() throws Exception {
    int n = clients++;
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(
                server.address().getPort(),
                "legit-" + n,
                List.of(proxy("echo-" + n, 0, echo.port()))));
    try {
      int port = publishedPort(server, "echo-" + n);
      assertThat(Streams.echoes(port)).as("fresh client relays").isTrue();
      assertThat(Streams.echoes(steadyPort)).as("steady client relays").isTrue();
    } finally {
      client.close();
    }
  }

  private static List<Case> cases() {
    List<Case> all = new ArrayList<>();
    Random random = new Random(SEED);
    // ---- raw bytes and broken yamux headers ----
    for (int i = 0; i < 4; i++) {
      byte[] junk = new byte[1 + random.nextInt(16 * 1024)];
      random.nextBytes(junk);
      junk[0] = (byte) (1 + random.nextInt(255)); // a non-zero version: never a valid header
      all.add(
          new Case(
              "random bytes #" + i + " (seed " + SEED + ")", false, junk, Expect.PROTOCOL_ERROR));
    }
    all.add(
        new Case(
            "an HTTP request",
            false,
            bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "yamux version 1",
            false,
            frame(1, PING, SYN, 0, 7, new byte[0]),
            Expect.PROTOCOL_ERROR));
    all.add(
        new Case("frame type 4", false, frame(0, 4, 0, 1, 0, new byte[0]), Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "frame type 255", false, frame(0, 255, SYN, 1, 0, new byte[0]), Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "data length 2^31-1",
            false,
            frame(0, DATA, SYN, 1, Integer.MAX_VALUE, new byte[16]),
            Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "data length 2^32-1",
            false,
            frame(0, DATA, SYN, 1, -1, new byte[16]),
            Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "data length above the window",
            false,
            frame(0, DATA, SYN, 1, 8 * 1024 * 1024 + 1, new byte[64]),
            Expect.PROTOCOL_ERROR));
    all.add(new Case("truncated header", false, new byte[] {0, 0, 0}, Expect.DEADLINE));
    all.add(
        new Case(
            "truncated data frame",
            false,
            frame(0, DATA, SYN, 1, 1000, new byte[10]),
            Expect.DEADLINE));
    all.add(
        new Case(
            "SYN on stream 0", false, header(WINDOW_UPDATE, SYN, 0, 0), Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "SYN on a server id (2)",
            false,
            header(WINDOW_UPDATE, SYN, 2, 0),
            Expect.PROTOCOL_ERROR));
    all.add(
        new Case(
            "duplicate SYN",
            false,
            concat(header(WINDOW_UPDATE, SYN, 1, 0), header(WINDOW_UPDATE, SYN, 1, 0)),
            Expect.PROTOCOL_ERROR));
    all.add(new Case("data on unknown stream 7", false, data(0, 7, new byte[100]), Expect.OPEN));
    all.add(
        new Case(
            "RST/FIN/ACK on unknown streams",
            false,
            concat(
                header(WINDOW_UPDATE, RST, 9, 0),
                header(WINDOW_UPDATE, FIN, 11, 0),
                header(WINDOW_UPDATE, ACK, 13, 0)),
            Expect.OPEN));
    all.add(
        new Case(
            "window update 2^32-1 on unknown stream",
            false,
            header(WINDOW_UPDATE, 0, 15, -1),
            Expect.OPEN));
    all.add(new Case("all flags on a ping", false, header(PING, 0xffff, 0, 42), Expect.OPEN));
    all.add(new Case("ping flood (2,000)", false, pings(2_000), Expect.OPEN));
    all.add(new Case("go-away normal", false, header(GO_AWAY, 0, 0, 0), Expect.OPEN));
    all.add(new Case("go-away internal error", false, header(GO_AWAY, 0, 0, 2), Expect.CLOSED));
    all.add(
        new Case(
            "SYN+RST on the control stream",
            false,
            header(WINDOW_UPDATE, SYN | RST, 1, 0),
            Expect.CLOSED));
    // ---- the control stream before authentication ----
    all.add(
        new Case(
            "register before auth",
            false,
            data(SYN, 1, control("{\"type\":\"register_proxies\",\"proxies\":[]}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "heartbeat before auth",
            false,
            data(
                SYN, 1, control("{\"type\":\"heartbeat\",\"timestamp_millis\":1,\"reply\":false}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "wrong key", false, data(SYN, 1, hello("wrong-key-0123456789", "eve")), Expect.CLOSED));
    all.add(
        new Case(
            "protocol_version as a string",
            false,
            data(
                SYN,
                1,
                control(
                    "{\"type\":\"client_hello\",\"protocol_version\":\"1\",\"auth_key\":\""
                        + KEY
                        + "\"}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "auth_key as a number",
            false,
            data(
                SYN,
                1,
                control("{\"type\":\"client_hello\",\"protocol_version\":1,\"auth_key\":12345}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "huge protocol_version",
            false,
            data(
                SYN,
                1,
                control(
                    "{\"type\":\"client_hello\",\"protocol_version\":"
                        + "9".repeat(40)
                        + ",\"auth_key\":\""
                        + KEY
                        + "\"}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "protocol_version 1e400",
            false,
            data(SYN, 1, control("{\"type\":\"client_hello\",\"protocol_version\":1e400}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "nesting depth 10,000",
            false,
            data(
                SYN,
                1,
                control(
                    "{\"type\":\"client_hello\",\"x\":"
                        + "[".repeat(10_000)
                        + "]".repeat(10_000)
                        + "}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "auth_key of 2,000 chars",
            false,
            data(SYN, 1, hello("k".repeat(2_000), "long")),
            Expect.CLOSED));
    all.add(new Case("empty control frame", false, data(SYN, 1, new byte[4]), Expect.CLOSED));
    all.add(
        new Case(
            "unknown message type before auth (ignored, PROTOCOL.md 3.3)",
            false,
            data(SYN, 1, control("{\"type\":\"teleport\"}")),
            Expect.OPEN));
    all.add(
        new Case(
            "control frame length 2^31-1",
            false,
            data(SYN, 1, new byte[] {0x7f, -1, -1, -1, '{'}),
            Expect.CLOSED));
    all.add(
        new Case(
            "control frame of 65,537 bytes",
            false,
            data(
                SYN,
                1,
                control("{\"type\":\"client_hello\",\"pad\":\"" + "x".repeat(65_537 - 40) + "\"}")),
            Expect.CLOSED));
    all.add(
        new Case("not JSON", false, data(SYN, 1, control("client_hello please")), Expect.CLOSED));
    all.add(new Case("JSON array", false, data(SYN, 1, control("[1,2,3]")), Expect.CLOSED));
    all.add(
        new Case(
            "no type",
            false,
            data(SYN, 1, control("{\"auth_key\":\"" + KEY + "\"}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "invalid UTF-8",
            false,
            data(
                SYN,
                1,
                concat(new byte[] {0, 0, 0, 4}, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'})),
            Expect.CLOSED));
    all.add(
        new Case(
            "trailing garbage after the object",
            false,
            data(SYN, 1, control("{\"type\":\"heartbeat\"} {}")),
            Expect.CLOSED));
    all.add(
        new Case(
            "truncated control frame",
            false,
            data(SYN, 1, new byte[] {0, 0, 0, 100, '{'}),
            Expect.DEADLINE));
    all.add(
        new Case(
            "a second client stream before auth",
            false,
            concat(header(WINDOW_UPDATE, SYN, 1, 0), data(SYN, 3, hello(KEY, "sneaky"))),
            Expect.DEADLINE));
    // ---- after authentication ----
    all.add(new Case("a second hello", true, data(0, 1, hello(KEY, "again")), Expect.OPEN));
    all.add(
        new Case(
            "unknown message type after auth",
            true,
            data(0, 1, control("{\"type\":\"teleport\",\"where\":\"mars\"}")),
            Expect.OPEN));
    all.add(
        new Case(
            "window updates overflowing on the control stream",
            true,
            concat(
                header(WINDOW_UPDATE, 0, 1, -1),
                header(WINDOW_UPDATE, 0, 1, -1),
                header(WINDOW_UPDATE, 0, 1, Integer.MAX_VALUE)),
            Expect.OPEN));
    all.add(
        new Case(
            "extra client streams after auth",
            true,
            concat(
                data(SYN, 3, new byte[10]),
                data(SYN, 5, new byte[10]),
                header(WINDOW_UPDATE, SYN, 7, 0)),
            Expect.OPEN));
    all.add(
        new Case(
            "register with a wrong type after auth",
            true,
            data(0, 1, control("{\"type\":\"register_proxies\",\"proxies\":\"all\"}")),
            Expect.CLOSED));
    all.add(new Case("257 proxies", true, data(0, 1, control(manyProxies(257))), Expect.CLOSED));
    all.add(
        new Case(
            "protocol error after auth",
            true,
            frame(7, DATA, 0, 1, 0, new byte[0]),
            Expect.PROTOCOL_ERROR));
    return all;
  }

  private static byte[] pings(int n) {
    byte[][] frames = new byte[n][];
    for (int i = 0; i < n; i++) {
      frames[i] = header(PING, SYN, 0, i);
    }
    return concat(frames);
  }

  private static String manyProxies(int n) {
    StringBuilder json = new StringBuilder("{\"type\":\"register_proxies\",\"proxies\":[");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"name\":\"p")
          .append(i)
          .append("\",\"publish_addr\":\"127.0.0.1\",\"publish_port\":0,\"proxy_type\":\"tcp\"}");
    }
    return json.append("]}").toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
