package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code server} and {@code client} end to end; they need the real core. */
class RunCommandsTest {

  @Test
  @Timeout(30)
  void serverRunsUntilStoppedThenExitsZero(@TempDir Path dir) throws Exception {
    int port = DemoProbe.freePort();
    Path config = SampleConfigs.server(dir, port, "secret-key-0123456789");
    StopSignal stop = StopSignal.manual();
    CompletableFuture<CliRun> run =
        CompletableFuture.supplyAsync(() -> CliRun.run(stop, "server", "-c", config.toString()));
    await().atMost(Duration.ofSeconds(15)).until(() -> run.isDone() || accepts(port));
    assertThat(run).isNotDone();
    stop.trigger();
    CliRun result = run.get(15, TimeUnit.SECONDS);
    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> !accepts(port));
  }

  @Test
  @Timeout(30)
  void clientWithWrongKeyExitsTwo(@TempDir Path dir) throws Exception {
    int port = DemoProbe.freePort();
    Path serverConfig = SampleConfigs.server(dir, port, "right-key-0123456789");
    StopSignal stopServer = StopSignal.manual();
    CompletableFuture<CliRun> server =
        CompletableFuture.supplyAsync(
            () -> CliRun.run(stopServer, "server", "-c", serverConfig.toString()));
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> server.isDone() || accepts(port));
      Path clientConfig =
          SampleConfigs.client(
              dir,
              "127.0.0.1",
              port,
              "wrong-key-0123456789",
              dir.resolve("localhost-cert.pem"),
              null,
              null);
      CliRun client = CliRun.run("client", "-c", clientConfig.toString());
      assertThat(client.code()).isEqualTo(2);
      assertThat(client.err()).startsWith("error: ").hasLineCount(1);
    } finally {
      stopServer.trigger();
      assertThat(server.get(15, TimeUnit.SECONDS).code()).isZero();
    }
  }

  @Test
  @Timeout(60)
  void clientRidesOutAServerRestartThenStopsOnSignal(@TempDir Path dir) throws Exception {
    int port = DemoProbe.freePort();
    int admin = DemoProbe.freePort();
    Path serverConfig = SampleConfigs.server(dir, port, "right-key-0123456789");
    Path clientConfig =
        SampleConfigs.client(
            dir,
            "127.0.0.1",
            port,
            "right-key-0123456789",
            dir.resolve("localhost-cert.pem"),
            "127.0.0.1",
            admin);
    Files.writeString(
        clientConfig,
        "\n[client.reconnect]\ninitial_delay = \"100ms\"\nmax_delay = \"500ms\"\n",
        StandardOpenOption.APPEND);
    StopSignal stopClient = StopSignal.manual();
    CompletableFuture<CliRun> client =
        CompletableFuture.supplyAsync(
            () -> CliRun.run(stopClient, "client", "-c", clientConfig.toString()));
    await().atMost(Duration.ofSeconds(15)).until(() -> sessionState(admin).equals("disconnected"));
    StopSignal stopServer = StopSignal.manual();
    CompletableFuture<CliRun> server =
        CompletableFuture.supplyAsync(
            () -> CliRun.run(stopServer, "server", "-c", serverConfig.toString()));
    await().atMost(Duration.ofSeconds(15)).until(() -> sessionState(admin).equals("connected"));

    stopServer.trigger();
    assertThat(server.get(15, TimeUnit.SECONDS).code()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> sessionState(admin).equals("disconnected"));
    assertThat(client).isNotDone();

    StopSignal stopAgain = StopSignal.manual();
    CompletableFuture<CliRun> again =
        CompletableFuture.supplyAsync(
            () -> CliRun.run(stopAgain, "server", "-c", serverConfig.toString()));
    await().atMost(Duration.ofSeconds(15)).until(() -> sessionState(admin).equals("connected"));
    stopClient.trigger();
    CliRun clientRun = client.get(15, TimeUnit.SECONDS);
    assertThat(clientRun.code()).isZero();
    assertThat(clientRun.err()).isEmpty();
    stopAgain.triggerNow();
    assertThat(again.get(15, TimeUnit.SECONDS).code()).isZero();
  }

  private static String sessionState(int adminPort) {
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + adminPort + "/api/status"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return new ObjectMapper().readTree(body).path("session_state").asText();
    } catch (IOException e) {
      return "unreachable";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
