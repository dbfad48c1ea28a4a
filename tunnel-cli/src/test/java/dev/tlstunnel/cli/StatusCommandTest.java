package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
  static final String JSON =
      """
      {"client_id":"office-pc","server":"tunnel.example.com:7000","session_state":"connected",
       "last_error":null,"future_field":{"ignored":true},
       "proxies":[
        {"name":"web","status":"healthy","publish_addr":"0.0.0.0","publish_port":8080,
         "local":"127.0.0.1:3000","error":null,"retry_after_seconds":null,"next_retry_at":null,
         "attempt":1,"max_retries":10,"updated_at":"2026-11-24T11:59:00Z"},
        {"name":"db","status":"unhealthy","publish_addr":"0.0.0.0","publish_port":5432,
         "local":"127.0.0.1:5432","error":"Port 5432 is already in use by another process",
         "retry_after_seconds":4.0,"next_retry_at":null,"attempt":2,"max_retries":10,
         "updated_at":"2026-11-24T11:59:59Z"}]}
      """;

  private HttpServer admin;
  private final AtomicReference<String> path = new AtomicReference<>();

  @BeforeEach
  void startAdminApi() throws IOException {
    admin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    admin.createContext(
        "/",
        exchange -> {
          path.set(exchange.getRequestURI().getPath());
          boolean known = exchange.getRequestURI().getPath().equals("/api/status");
          byte[] body = (known ? JSON : "not found").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(known ? 200 : 404, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    admin.start();
  }

  @AfterEach
  void stopAdminApi() {
    admin.stop(0);
  }

  @Test
  @Timeout(20)
  void printsSessionAndProxyTable() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = StatusCommand.show(writer(out), writer(err), "127.0.0.1", port(), false);
    assertThat(code).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(path.get()).isEqualTo("/api/status");
    assertThat(out.toString().lines().toList())
        .containsExactly(
            "Session: connected to tunnel.example.com:7000 as office-pc",
            "",
            "PROXY  STATUS     PUBLISH       LOCAL           DETAIL",
            "web    healthy    0.0.0.0:8080  127.0.0.1:3000  -",
            "db     unhealthy  0.0.0.0:5432  127.0.0.1:5432  Port 5432 is already in use by another"
                + " process; retry in 4s (attempt 2/10)");
  }

  @Test
  @Timeout(20)
  void jsonOptionPrintsTheRawAnswer() {
    StringWriter out = new StringWriter();
    int code = StatusCommand.show(writer(out), writer(new StringWriter()), "0.0.0.0", port(), true);
    assertThat(code).isZero();
    assertThat(out.toString()).isEqualTo(JSON.strip() + "\n");
  }

  @Test
  @Timeout(20)
  void unreachableAdminApiIsOneLineNamingTheAddress() throws IOException {
    int closed = DemoProbe.freePort();
    StringWriter err = new StringWriter();
    int code =
        StatusCommand.show(writer(new StringWriter()), writer(err), "127.0.0.1", closed, false);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("error: cannot reach the client's admin API at http://127.0.0.1:" + closed)
        .contains("the client may not be running): connection refused")
        .hasLineCount(1);
  }

  @Test
  @Timeout(20)
  void adminUriReachesWildcardOnLoopback() {
    assertThat(AdminEndpoint.uri("0.0.0.0", 7400).toString()).isEqualTo("http://127.0.0.1:7400");
    assertThat(AdminEndpoint.uri("::", 7400).toString()).isEqualTo("http://[::1]:7400");
    assertThat(AdminEndpoint.uri("::1", 7400).toString()).isEqualTo("http://[::1]:7400");
  }

  @Test
  @Timeout(20)
  void portAndUrlOptionsNeedNoConfig() {
    CliRun byPort = CliRun.run("status", "--port", String.valueOf(port()));
    assertThat(byPort.err()).isEmpty();
    assertThat(byPort.code()).isZero();
    assertThat(byPort.out()).startsWith("Session: connected to tunnel.example.com:7000");
    CliRun byAddr = CliRun.run("status", "--addr", "127.0.0.1", "--port", String.valueOf(port()));
    assertThat(byAddr.code()).as(byAddr.err()).isZero();
    CliRun byUrl = CliRun.run("status", "--url", "http://127.0.0.1:" + port() + "/", "--json");
    assertThat(byUrl.err()).isEmpty();
    assertThat(byUrl.out()).contains("\"client_id\":\"office-pc\"");
    assertThat(path.get()).isEqualTo("/api/status");
  }

  @Test
  @Timeout(20)
  void badEndpointOptionsAreUsageErrors(@TempDir Path dir) throws IOException {
    CliRun none = CliRun.run("status");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).startsWith("error: say which client: -c FILE, --port PORT or --url URL");
    CliRun both =
        CliRun.run(
            "status",
            "--url",
            "http://127.0.0.1:7400",
            "-c",
            SampleConfigs.client(dir, null, null).toString());
    assertThat(both.err()).startsWith("error: --url replaces -c, --addr and --port");
    CliRun path = CliRun.run("status", "--url", "http://127.0.0.1:7400/api/status");
    assertThat(path.err())
        .startsWith(
            "error: --url: 'http://127.0.0.1:7400/api/status' is not an admin API address like"
                + " http://127.0.0.1:7400");
    assertThat(CliRun.run("status", "--port", "0").err())
        .startsWith("error: --port: must be between 1 and 65535, got 0");
  }

  @Test
  @Timeout(20)
  void configWarningsArePlainWarningLines(@TempDir Path dir) throws IOException {
    Path config = SampleConfigs.client(dir, "127.0.0.1", port());
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    CliRun run = CliRun.run("status", "-c", config.toString());
    assertThat(run.code()).isZero();
    assertThat(run.err())
        .isEqualTo(
            "warning: "
                + config
                + ": config file is readable by group or others and may hold the auth key;"
                + " restrict it (chmod 600)"
                + System.lineSeparator());
  }

  // The tests below read a client config file, so they need the real ConfigLoader.

  @Test
  @Timeout(20)
  void statusCommandReadsAdminPortFromClientConfig(@TempDir Path dir) throws IOException {
    Path config = SampleConfigs.client(dir, "127.0.0.1", port());
    CliRun run = CliRun.run("status", "-c", config.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Session: connected to tunnel.example.com:7000 as office-pc");
  }

  @Test
  @Timeout(20)
  void adminApiOffIsOneLineSayingWhatToSet(@TempDir Path dir) throws IOException {
    Path config = SampleConfigs.client(dir, null, null);
    CliRun run = CliRun.run("status", "-c", config.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("set [client] admin_port").hasLineCount(1);
    assertThat(Files.exists(config)).isTrue();
  }

  private int port() {
    return admin.getAddress().getPort();
  }

  private static PrintWriter writer(StringWriter target) {
    return new PrintWriter(target, true);
  }
}
