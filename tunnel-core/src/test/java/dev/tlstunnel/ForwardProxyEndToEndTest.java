package dev.tlstunnel;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.testing.Curl;
import dev.tlstunnel.testing.ForwardRig;
import dev.tlstunnel.testing.OriginServers;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real curl through the client's HTTP and SOCKS5 forwarders, to origin servers reached directly
 * (127.0.0.2, allowed only by the client's direct policy) and through the tunnel (127.0.0.3,
 * allowed only by the server's egress policy), routed by domain suffix and CIDR.
 */
@Timeout(120)
class ForwardProxyEndToEndTest {
  @TempDir static Path dir;
  static ForwardRig rig;
  static int direct;
  static int tunnel;

  @BeforeAll
  static void start() throws Exception {
    rig =
        new ForwardRig(
            dir,
            List.of(
                ForwardRig.split("http", ForwarderType.HTTP),
                ForwardRig.split("socks", ForwarderType.SOCKS5)));
    direct = rig.direct.httpPort();
    tunnel = rig.tunnel.httpPort();
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  @Test
  void httpProxyRoutesBySuffixAndDefault() throws Exception {
    String proxy = "http://" + rig.proxy("http");
    long directBefore = rig.state("http").direct();
    long tunnelBefore = rig.state("http").tunneled();
    assertThat(Curl.run("--proxy", proxy, "http://direct.fwd.test:" + direct + "/").out())
        .isEqualTo("direct");
    assertThat(Curl.run("--proxy", proxy, "http://tunnel.fwd.test:" + tunnel + "/").out())
        .isEqualTo("tunnel");
    assertThat(rig.state("http").direct()).isEqualTo(directBefore + 1);
    assertThat(rig.state("http").tunneled()).isEqualTo(tunnelBefore + 1);
  }

  @Test
  void keepAliveAcrossHostsOnOneProxyConnection() throws Exception {
    String proxy = "http://" + rig.proxy("http");
    long before = rig.state("http").totalConnections();
    Curl.Result r =
        Curl.run(
            "--proxy",
            proxy,
            "http://direct.fwd.test:" + direct + "/",
            "http://tunnel.fwd.test:" + tunnel + "/",
            "http://direct.fwd.test:" + direct + "/");
    assertThat(r.out()).as(r.err()).isEqualTo("directtunneldirect");
    assertThat(rig.state("http").totalConnections()).isEqualTo(before + 1);
  }

  @Test
  void keepAliveToTheSameHostReusesTheUpstream() throws Exception {
    String proxy = "http://" + rig.proxy("http");
    for (String url :
        List.of(
            "http://tunnel.fwd.test:" + tunnel + "/", "http://direct.fwd.test:" + direct + "/")) {
      long tunneled = rig.state("http").tunneled();
      long directs = rig.state("http").direct();
      Curl.Result r = Curl.run("--proxy", proxy, url, url, url);
      String name = url.contains("tunnel") ? "tunnel" : "direct";
      assertThat(r.out()).as(r.err()).isEqualTo(name.repeat(3));
      assertThat(rig.state("http").tunneled() + rig.state("http").direct())
          .as("one upstream connection for three requests")
          .isEqualTo(tunneled + directs + 1);
    }
  }

  @Test
  void requestGoesInOriginFormWithoutHopByHopHeaders() throws Exception {
    Curl.Result r =
        Curl.run(
            "--proxy",
            "http://" + rig.proxy("http"),
            "-H",
            "Proxy-Connection: keep-alive",
            "-H",
            "Connection: keep-alive, X-Secret",
            "-H",
            "X-Secret: hop",
            "-H",
            "X-Kept: yes",
            "http://tunnel.fwd.test:" + tunnel + "/headers?q=1");
    assertThat(r.out()).startsWith("GET /headers?q=1\n");
    assertThat(r.out()).contains("host: tunnel.fwd.test:" + tunnel, "x-kept: yes");
    assertThat(r.out()).doesNotContain("proxy-connection", "x-secret", "keep-alive");
  }

  @Test
  void httpsThroughConnectOnBothRoutes() throws Exception {
    String proxy = "http://" + rig.proxy("http");
    assertThat(
            Curl.run(
                    "-k",
                    "--proxy",
                    proxy,
                    "https://tunnel.fwd.test:" + rig.tunnel.httpsPort() + "/")
                .out())
        .isEqualTo("tunnel");
    assertThat(
            Curl.run(
                    "-k",
                    "--proxy",
                    proxy,
                    "https://direct.fwd.test:" + rig.direct.httpsPort() + "/")
                .out())
        .isEqualTo("direct");
  }

  @Test
  void socks5HostnameResolvesOnTheServerAndSocks5ByAddress() throws Exception {
    String socks = rig.proxy("socks");
    Curl.Result viaTunnel =
        Curl.run("--socks5-hostname", socks, "http://tunnel.fwd.test:" + tunnel + "/");
    assertThat(viaTunnel.out()).as(viaTunnel.err()).isEqualTo("tunnel");
    assertThat(Curl.run("--socks5-hostname", socks, "http://direct.fwd.test:" + direct + "/").out())
        .isEqualTo("direct");
    // --socks5: curl sends an address (these names are known to the test JVM only, so curl gets
    // addresses); the CIDR rule sends 127.0.0.2 direct, the rest takes the tunnel.
    assertThat(Curl.run("--socks5", socks, "http://127.0.0.2:" + direct + "/").out())
        .isEqualTo("direct");
    assertThat(Curl.run("--socks5", socks, "http://127.0.0.3:" + tunnel + "/").out())
        .isEqualTo("tunnel");
  }

  @Test
  void sixtyFourMebibytesThroughConnectArriveIntact() throws Exception {
    assertBlob("--proxytunnel", "--proxy", "http://" + rig.proxy("http"));
  }

  @Test
  void sixtyFourMebibytesAsAPlainProxiedResponseArriveIntact() throws Exception {
    assertBlob("--proxy", "http://" + rig.proxy("http"));
  }

  @Test
  void sixtyFourMebibytesThroughSocks5ArriveIntact() throws Exception {
    assertBlob("--socks5-hostname", rig.proxy("socks"));
  }

  /**
   * What a client like {@code printf ... | nc -N} does: the CONNECT request and the request for the
   * target in one write, then its end of output, all before the target is dialled. The bytes and
   * the end reach the target, and its answer comes back, on either route.
   */
  @Test
  void bytesAndEndSentWithConnectReachTheTarget() throws Exception {
    String[] hosts = {"direct.fwd.test:" + direct, "tunnel.fwd.test:" + tunnel};
    for (String host : hosts) {
      String sent = "CONNECT " + host + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n" + httpGet(host);
      String answer = ForwardRig.sendAndEnd(rig.port("http"), new byte[0], sent.getBytes(US_ASCII));
      assertThat(answer).as(host).startsWith("HTTP/1.1 200 Connection Established\r\n");
      assertThat(answer).as(host).endsWith("\r\n\r\n" + host.substring(0, host.indexOf('.')));
    }
  }

  /** SOCKS5 with optimistic data: the command, the request for the target and the end at once. */
  @Test
  void bytesAndEndSentWithASocks5CommandReachTheTarget() throws Exception {
    for (String host : new String[] {"direct.fwd.test", "tunnel.fwd.test"}) {
      int port = host.startsWith("direct") ? direct : tunnel;
      byte[] command = ForwardRig.socks5Connect(host, port, httpGet(host + ":" + port));
      String answer = ForwardRig.sendAndEnd(rig.port("socks"), new byte[] {5, 1, 0}, command);
      // the command's reply (10 bytes: success, an IPv4 address and a port), then the target's
      assertThat(answer).as(host).startsWith("\u0005\u0000\u0000\u0001");
      assertThat(answer.substring(10)).as(host).startsWith("HTTP/1.1 200 ");
      assertThat(answer).as(host).endsWith("\r\n\r\n" + host.substring(0, host.indexOf('.')));
    }
  }

  /**
   * A SOCKS5 client that does not wait for the method selection: greeting, command, the request for
   * the target and the end of output in one write. Both answers and the target's come back in
   * order.
   */
  @Test
  void greetingCommandAndBytesInOneWriteReachTheTarget() throws Exception {
    for (String host : new String[] {"direct.fwd.test", "tunnel.fwd.test"}) {
      int port = host.startsWith("direct") ? direct : tunnel;
      ByteArrayOutputStream sent = new ByteArrayOutputStream();
      sent.write(new byte[] {5, 1, 0});
      sent.write(ForwardRig.socks5Connect(host, port, httpGet(host + ":" + port)));
      String answer = ForwardRig.sendAndEnd(rig.port("socks"), new byte[0], sent.toByteArray());
      // the method selection (no authentication), the command's 10-byte reply, then the target's
      assertThat(answer).as(host).startsWith("\u0005\u0000\u0005\u0000\u0000\u0001");
      assertThat(answer.substring(12)).as(host).startsWith("HTTP/1.1 200 ");
      assertThat(answer).as(host).endsWith("\r\n\r\n" + host.substring(0, host.indexOf('.')));
    }
  }

  private static String httpGet(String host) {
    return "GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
  }

  private static void assertBlob(String... proxyArgs) throws Exception {
    Path file = dir.resolve("blob");
    List<String> args = new java.util.ArrayList<>(List.of(proxyArgs));
    args.addAll(List.of("-o", file.toString(), "http://tunnel.fwd.test:" + tunnel + "/blob"));
    Curl.Result r = Curl.run(args.toArray(new String[0]));
    assertThat(r.exit()).as(r.err()).isZero();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    assertThat(Files.size(file)).isEqualTo(OriginServers.BLOB_BYTES);
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(OriginServers.blobSha256());
  }
}
