package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.testing.Curl;
import dev.tlstunnel.testing.ForwardRig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials on both front ends, and the bounds: an oversized request head gets 431, a slowloris
 * handshake is cut at the handshake timeout, connections over {@code max_connections} are closed at
 * accept; other applications are served throughout.
 */
@Timeout(120)
class ForwardAuthAndBoundsEndToEndTest {
  static final int MAX = 6;
  @TempDir static Path dir;
  static ForwardRig rig;
  static String tunnelUrl;

  @BeforeAll
  static void start() throws Exception {
    ForwarderConfig bounded =
        ForwardRig.split("bounded", ForwarderType.HTTP)
            .withBounds(MAX, 4096, Duration.ofSeconds(1), Duration.ofSeconds(30));
    rig =
        new ForwardRig(
            dir,
            List.of(
                ForwardRig.split("http-auth", ForwarderType.HTTP)
                    .withCredentials("alice", "s3cret"),
                ForwardRig.split("socks-auth", ForwarderType.SOCKS5)
                    .withCredentials("alice", "s3cret"),
                bounded,
                ForwardRig.split("other", ForwarderType.HTTP)));
    tunnelUrl = "http://tunnel.fwd.test:" + rig.tunnel.httpPort() + "/";
  }

  /** The bounded forwarder has no connection left from an earlier test. */
  @BeforeEach
  void idle() {
    await().until(() -> rig.state("bounded").activeConnections() == 0);
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void httpProxyNeedsTheRightCredentials() throws Exception {
    String proxy = "http://" + rig.proxy("http-auth");
    Curl.Result none = Curl.run("-w", "%{http_code}", "--proxy", proxy, tunnelUrl);
    assertThat(none.out()).endsWith("407");
    Curl.Result wrong =
        Curl.run("-w", "%{http_code}", "--proxy", proxy, "--proxy-user", "alice:nope", tunnelUrl);
    assertThat(wrong.out()).endsWith("407");
    Curl.Result connect =
        Curl.run("--proxytunnel", "--proxy", proxy, "--proxy-user", "alice:nope", tunnelUrl);
    assertThat(connect.err()).contains("407");
    Curl.Result right = Curl.run("--proxy", proxy, "--proxy-user", "alice:s3cret", tunnelUrl);
    assertThat(right.out()).isEqualTo("tunnel");
  }

  @Test
  void socks5NeedsTheRightCredentials() throws Exception {
    String socks = rig.proxy("socks-auth");
    Curl.Result none = Curl.run("--socks5-hostname", socks, tunnelUrl);
    assertThat(none.exit()).isEqualTo(97);
    Curl.Result wrong = Curl.run("--proxy", "socks5h://alice:nope@" + socks, tunnelUrl);
    assertThat(wrong.exit()).isEqualTo(97);
    assertThat(wrong.err()).containsIgnoringCase("rejected");
    Curl.Result right = Curl.run("--proxy", "socks5h://alice:s3cret@" + socks, tunnelUrl);
    assertThat(right.out()).as(right.err()).isEqualTo("tunnel");
  }

  /** Greeting, credentials, command and request in one write: every answer comes, in order. */
  @Test
  void socks5ClientThatDoesNotWaitForAnswersIsServed() throws Exception {
    String host = "tunnel.fwd.test";
    int port = rig.tunnel.httpPort();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    sent.write(new byte[] {5, 1, 2}); // offers username and password only
    sent.write(new byte[] {1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't'});
    sent.write(
        ForwardRig.socks5Connect(host, port, "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n"));
    String answer = ForwardRig.sendAndEnd(rig.port("socks-auth"), new byte[0], sent.toByteArray());
    // method PASSWORD, authentication success, the command's 10-byte reply, then the answer
    assertThat(answer).startsWith("\u0005\u0002\u0001\u0000\u0005\u0000\u0000\u0001");
    assertThat(answer.substring(14)).startsWith("HTTP/1.1 200 ");
    assertThat(answer).endsWith("\r\n\r\ntunnel");
  }

  @Test
  void oversizedHeadGets431AndOthersAreServed() throws Exception {
    int port = rig.port("bounded");
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      String head = "GET " + tunnelUrl + " HTTP/1.1\r\nX-Big: " + "a".repeat(8192) + "\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(readToEnd(s.getInputStream()), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 431");
    }
    assertThat(Curl.run("--proxy", "http://127.0.0.1:" + port, tunnelUrl).out())
        .isEqualTo("tunnel");
  }

  @Test
  void slowlorisIsCutAtTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
    int port = rig.port("bounded");
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < MAX - 1; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET http://tunnel".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      assertThat(Curl.run("--proxy", "http://127.0.0.1:" + port, tunnelUrl).out())
          .isEqualTo("tunnel");
      long start = System.nanoTime();
      for (Socket s : slow) {
        assertThat(closedWhileTrickling(s)).isTrue();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void connectionsOverTheLimitAreClosedAtAccept() throws Exception {
    int port = rig.port("bounded");
    long rejectedBefore = rig.state("bounded").rejectedConnections();
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < MAX; i++) {
        idle.add(new Socket("127.0.0.1", port));
      }
      await().until(() -> rig.state("bounded").activeConnections() == MAX);
      for (int i = 0; i < 20; i++) {
        try (Socket extra = new Socket()) {
          extra.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
          extra.setSoTimeout(2_000);
          assertThat(extra.getInputStream().read()).isEqualTo(-1);
        }
      }
      assertThat(rig.state("bounded").activeConnections()).isLessThanOrEqualTo(MAX);
      assertThat(rig.state("bounded").rejectedConnections()).isEqualTo(rejectedBefore + 20);
      // Another forwarder is not affected.
      assertThat(Curl.run("--proxy", "http://" + rig.proxy("other"), tunnelUrl).out())
          .isEqualTo("tunnel");
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
    await().until(() -> rig.state("bounded").activeConnections() == 0);
    assertThat(Curl.run("--proxy", "http://127.0.0.1:" + port, tunnelUrl).out())
        .isEqualTo("tunnel");
  }

  /** Sends a byte every 100 ms (at most 50) until the proxy closes the connection. */
  private static boolean closedWhileTrickling(Socket s) throws Exception {
    s.setSoTimeout(100);
    for (int i = 0; i < 50; i++) {
      try {
        s.getOutputStream().write('x');
        if (s.getInputStream().read() == -1) {
          return true;
        }
      } catch (java.net.SocketTimeoutException e) {
        // still open
      } catch (SocketException e) {
        return true; // reset by the proxy
      }
    }
    return false;
  }

  private static byte[] readToEnd(InputStream in) throws Exception {
    try {
      return in.readAllBytes();
    } catch (SocketException e) {
      return new byte[0];
    }
  }
}
