package dev.tlstunnel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AdminServerTest {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<ClientStatus> status = new AtomicReference<>(status("pending"));
  private AdminServer server;
  private final List<String> retried = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile ProxyRetry.Outcome outcome = ProxyRetry.Outcome.RESTARTED;

  private CompletableFuture<ProxyRetry> retry(String proxy) {
    retried.add(proxy);
    return CompletableFuture.completedFuture(new ProxyRetry(proxy, outcome, "words for " + proxy));
  }

  @BeforeEach
  void setUp() throws Exception {
    server =
        AdminServer.start(
            group, NioServerSocketChannel.class, "127.0.0.1", 0, status::get, this::retry);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    server.close();
    Transport.shutdown(group, 1).sync();
  }

  @Test
  void statusIsSnakeCaseJsonWithStableShape() throws Exception {
    HttpResponse<String> response = get("/api/status");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode root = new ObjectMapper().readTree(response.body());
    assertThat(root.fieldNames())
        .toIterable()
        .containsExactly(
            "client_id",
            "server",
            "session_state",
            "last_error",
            "next_attempt_at",
            "reconnect_attempt",
            "proxies",
            "transport",
            "proxy_url",
            "forwarders",
            "visitors");
    assertThat(root.get("forwarders").isArray()).isTrue();
    assertThat(root.get("visitors").isArray()).isTrue();
    assertThat(root.get("client_id").asText()).isEqualTo("c1");
    assertThat(root.get("last_error").isNull()).isTrue();
    JsonNode proxy = root.get("proxies").get(0);
    assertThat(proxy.fieldNames())
        .toIterable()
        .containsExactly(
            "name",
            "status",
            "publish_addr",
            "publish_port",
            "local",
            "error",
            "retry_after_seconds",
            "next_retry_at",
            "attempt",
            "max_retries",
            "updated_at",
            "visibility",
            "connected_visitors",
            "group");
    assertThat(proxy.get("status").asText()).isEqualTo("pending");
    assertThat(proxy.get("publish_port").asInt()).isEqualTo(8002);
    assertThat(proxy.get("error").isNull()).isTrue();
  }

  @Test
  void statusIsReadAtEveryRequest() throws Exception {
    get("/api/status");
    status.set(status("unhealthy"));

    JsonNode proxy = new ObjectMapper().readTree(get("/api/status").body()).get("proxies").get(0);

    assertThat(proxy.get("status").asText()).isEqualTo("unhealthy");
    assertThat(proxy.get("retry_after_seconds").asDouble()).isEqualTo(2.0);
    assertThat(proxy.get("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void healthz() throws Exception {
    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
  }

  @Test
  void unknownPathIsNotFound() throws Exception {
    HttpResponse<String> response = get("/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new ObjectMapper().readTree(response.body()).get("error").asText())
        .isEqualTo("not found");
  }

  @Test
  void otherMethodsAreNotAllowed() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri("/api/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnectionUntilClose() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                  + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                  + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();

      assertThat(readHead(in)).startsWith("HTTP/1.1 200 OK").doesNotContainIgnoringCase("close");
      assertThat(readBody(in, 2)).isEqualTo("ok");
      assertThat(readHead(in)).startsWith("HTTP/1.1 404 Not Found");
      assertThat(readBody(in, 21)).isEqualTo("{\"error\":\"not found\"}");
      assertThat(readHead(in))
          .startsWith("HTTP/1.1 200 OK")
          .containsIgnoringCase("connection: close");
      assertThat(readBody(in, 2)).isEqualTo("ok");
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void oversizedBodyIsRefusedAndTheConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              ("POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();

      assertThat(readHead(in)).startsWith("HTTP/1.1 413 ");
      assertClosed(in);
    }
  }

  @Test
  void oversizedHeadersAreRefusedAndTheConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write(
              ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "
                      + "a".repeat(AdminServer.MAX_REQUEST_BYTES + 100)
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();

      assertThat(readHead(in)).startsWith("HTTP/1.1 413 ");
      assertClosed(in);
    }
  }

  @Test
  void portInUseIsExplained() throws Exception {
    try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = holder.getLocalPort();

      assertThatThrownBy(
              () ->
                  AdminServer.start(
                      group,
                      NioServerSocketChannel.class,
                      "127.0.0.1",
                      port,
                      status::get,
                      this::retry))
          .isInstanceOf(TunnelStartException.class)
          .hasMessage(
              "cannot start admin API on 127.0.0.1:"
                  + port
                  + ": Port "
                  + port
                  + " is already in use by another process")
          .extracting(e -> ((TunnelStartException) e).kind())
          .isEqualTo(FailureKind.PORT_IN_USE);
    }
  }

  @Test
  void closeClosesOpenConnections() throws Exception {
    try (Socket socket = connect()) {
      socket
          .getOutputStream()
          .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 200 OK");
      assertThat(readBody(in, 2)).isEqualTo("ok");

      server.close();

      assertClosed(in);
    }
  }

  @Test
  void retryIsAPostPerProxyAnsweredWithTheOutcome() throws Exception {
    HttpResponse<String> ok = post("/api/proxies/db/retry");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(ok.body()))
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    "{\"proxy_name\":\"db\",\"outcome\":\"restarted\",\"message\":\"words for db\"}"));
    assertThat(retried).containsExactly("db");
    int[] codes = new int[5];
    ProxyRetry.Outcome[] all = ProxyRetry.Outcome.values();
    for (int i = 0; i < all.length; i++) {
      outcome = all[i];
      codes[i] = post("/api/proxies/db/retry").statusCode();
    }
    assertThat(codes).containsExactly(200, 409, 404, 503, 504);
  }

  @Test
  void retryRefusesOtherMethodsBrowsersAndBadNames() throws Exception {
    HttpResponse<String> get = get("/api/proxies/db/retry");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("allow")).hasValue("POST");
    HttpResponse<String> browser =
        http.send(
            HttpRequest.newBuilder(uri("/api/proxies/db/retry"))
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(browser.statusCode()).isEqualTo(403);
    assertThat(post("/api/proxies/no%20such/retry").statusCode()).isEqualTo(404);
    assertThat(retried).isEmpty();
    assertThat(get("/api/status").statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Reads a response head up to the blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("connection ended inside a response head: %s", head).isNotEqualTo(-1);
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static String readBody(InputStream in, int length) throws IOException {
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** The peer closed: end of stream, or a reset when it closed with our bytes still unread. */
  private static void assertClosed(InputStream in) throws IOException {
    try {
      in.readAllBytes();
    } catch (SocketException reset) {
      assertThat(reset).hasMessageContaining("reset");
    }
  }

  private static ClientStatus status(String proxyStatus) {
    boolean unhealthy = proxyStatus.equals("unhealthy");
    ProxyState proxy =
        new ProxyState(
            "proxy2",
            dev.tlstunnel.ProxyStatus.fromWireName(proxyStatus),
            "0.0.0.0",
            8002,
            "127.0.0.1:9002",
            unhealthy ? "Port 8002 is already in use by another process" : null,
            unhealthy ? Duration.ofSeconds(2) : null,
            unhealthy ? Instant.parse("2026-01-02T03:04:07Z") : null,
            unhealthy ? 1 : null,
            unhealthy ? 10 : null,
            Instant.parse("2026-01-02T03:04:05Z"));
    return new ClientStatus(
        "c1",
        "tunnel.example:7000",
        SessionState.CONNECTED,
        null,
        null,
        null,
        List.of(proxy),
        null,
        null,
        List.of(),
        List.of());
  }
}
