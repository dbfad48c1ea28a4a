package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls-tunnel retry PROXY}: against a fake admin API, and end to end. */
class RetryCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(20)
  void eachAnswerOfTheAdminApiIsOneLineAndAnExitCode() throws Exception {
    AtomicReference<String> method = new AtomicReference<>();
    AtomicReference<Object[]> answer = new AtomicReference<>();
    HttpServer admin =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    admin.createContext(
        "/",
        exchange -> {
          method.set(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          byte[] body = ((String) answer.get()[1]).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders((Integer) answer.get()[0], body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    admin.start();
    String port = String.valueOf(admin.getAddress().getPort());
    try {
      answer.set(
          new Object[] {
            200,
            "{\"proxy_name\":\"db\",\"outcome\":\"restarted\",\"message\":\"the server started the"
                + " bind retries of proxy 'db' again\"}"
          });
      CliRun ok = CliRun.run("retry", "--port", port, "db");
      assertThat(method.get()).isEqualTo("POST /api/proxies/db/retry");
      assertThat(ok.err()).isEmpty();
      assertThat(ok.code()).isZero();
      assertThat(ok.out())
          .isEqualTo(
              "Proxy 'db': the server started the bind retries of proxy 'db' again\n"
                  + "'tls-tunnel status' shows how its attempts go.\n");

      answer.set(
          new Object[] {
            504,
            "{\"proxy_name\":\"db\",\"outcome\":\"no_answer\",\"message\":\"the server did not"
                + " answer within 5s\"}"
          });
      CliRun old = CliRun.run("retry", "--url", "http://127.0.0.1:" + port, "db");
      assertThat(old.code()).isEqualTo(1);
      assertThat(old.err()).isEqualTo("error: the server did not answer within 5s\n");

      answer.set(new Object[] {404, "{\"error\":\"not found\"}"});
      CliRun olderClient = CliRun.run("retry", "--port", port, "db");
      assertThat(olderClient.code()).isEqualTo(1);
      assertThat(olderClient.err())
          .isEqualTo(
              "error: the client's admin API has no retry (the client runs an older version):"
                  + " restart the client, which registers proxy 'db' again and starts its bind"
                  + " schedule anew\n");
    } finally {
      admin.stop(0);
    }
    CliRun badName = CliRun.run("retry", "--port", port, "no such");
    assertThat(badName.code()).isEqualTo(1);
    assertThat(badName.err()).startsWith("error: PROXY: 'no such' is not a proxy name");
  }

  @Test
  @Timeout(90)
  void aBindFailedProxyOfARunningClientBindsOnceRetried() throws Exception {
    int tunnel = DemoProbe.freePort();
    int adminPort = DemoProbe.freePort();
    Path serverConfig = SampleConfigs.server(dir, tunnel, "right-key-0123456789");
    SampleConfigs.write(
        serverConfig,
        java.nio.file.Files.readString(serverConfig)
            .replace("max_retries = 10", "max_retries = 0"));
    ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    try (LiveRun server = LiveRun.start("server", "-c", serverConfig.toString())) {
      int held = squatter.getLocalPort();
      Path clientConfig =
          SampleConfigs.client(
              dir,
              "127.0.0.1",
              tunnel,
              "right-key-0123456789",
              dir.resolve("localhost-cert.pem"),
              "127.0.0.1",
              adminPort);
      SampleConfigs.write(
          clientConfig,
          java.nio.file.Files.readString(clientConfig)
              .replace("publish_port = 18080", "publish_port = " + held));
      try (LiveRun client = LiveRun.start("client", "-c", clientConfig.toString())) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> status(clientConfig).contains("bind_failed"));
        squatter.close();
        CliRun retry = CliRun.run("retry", "-c", clientConfig.toString(), "web");
        assertThat(retry.err()).isEmpty();
        assertThat(retry.code()).isZero();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> status(clientConfig).contains("healthy"));
        CliRun again = CliRun.run("retry", "-c", clientConfig.toString(), "web");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err())
            .isEqualTo("error: proxy 'web' is healthy (listening): there is nothing to retry\n");
        assertThat(client.stop()).isZero();
      }
      assertThat(server.stop()).isZero();
    } finally {
      squatter.close();
    }
  }

  private static String status(Path config) throws IOException {
    return CliRun.run("status", "-c", config.toString()).out();
  }
}
