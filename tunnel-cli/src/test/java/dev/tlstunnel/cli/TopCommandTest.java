package dev.tlstunnel.cli;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoService;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls-tunnel top} against a real server's admin API: live in a real terminal (tmux), where a
 * proxy goes from unhealthy to healthy, keys sort and quit; and {@code --once --json}.
 */
@Timeout(120)
class TopCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private TunnelFixture fixture;
  private EchoService echo;
  private ServerSocket blocker;
  private TunnelServer server;

  @BeforeEach
  void start() throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
    blocker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server =
        fixture.startServer(
            fixture
                .serverBuilder()
                .bindRetry(new BindRetryPolicy(100, Duration.ofMillis(500), Duration.ofMillis(500)))
                .monitoring(MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0))
                .build());
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(),
            "office",
            List.of(
                proxy("echo", 0, echo.port()), proxy("web", blocker.getLocalPort(), echo.port()))));
    TunnelFixture.publishedPort(server, "echo");
  }

  @AfterEach
  void stop() throws Exception {
    blocker.close();
    fixture.close();
    echo.close();
  }

  @Test
  void showsProxiesLiveAndTheirStateChange() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "top",
            "--port",
            String.valueOf(server.adminPort()));
    try (Tmux tmux = Tmux.start(command, 180, 30)) {
      String screen =
          tmux.awaitScreen(s -> line(s, " web ").contains("unhealthy") && s.contains(" echo "));
      assertThat(line(screen, " echo ")).contains("healthy").contains("office");
      assertThat(line(screen, " web "))
          .contains("Port " + blocker.getLocalPort() + " is already in use");
      assertThat(screen).contains("1 clients, 2 proxies (1 healthy, 1 unhealthy, 0 bind_failed)");

      blocker.close();
      tmux.awaitScreen(
          s -> line(s, " web ").contains(" healthy") && !line(s, " web ").contains("unhealthy"));
      int port = TunnelFixture.publishedPort(server, "echo");
      assertThat(Streams.echoes(port)).isTrue();
      tmux.awaitScreen(s -> line(s, " echo ").matches(".*healthy\\s+0\\s+1\\s.*"));

      tmux.sendKeys("s");
      tmux.awaitScreen(s -> s.contains("sort: state"));
      tmux.sendKeys("/", "w", "e", "b", "Enter");
      tmux.awaitScreen(s -> s.contains("filter: web") && !s.contains(" echo "));
      tmux.sendKeys("q");
      await().atMost(Duration.ofSeconds(10)).until(() -> !tmux.running());
    }
  }

  @Test
  void onceJsonPrintsTheRowsForScripts() throws Exception {
    CliRun run =
        CliRun.run(
            "top",
            "--port",
            String.valueOf(server.adminPort()),
            "--once",
            "--json",
            "--sort",
            "state");
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode root = JSON.readTree(run.out());
    assertThat(root.get("side").asText()).isEqualTo("server");
    assertThat(root.get("sort").asText()).isEqualTo("state");
    JsonNode web = row(root, "web");
    assertThat(web.get("kind").asText()).isEqualTo("proxy");
    assertThat(web.get("owner").asText()).isEqualTo("office");
    assertThat(web.get("state").asText()).startsWith("unhealthy");
    assertThat(web.get("last_error").asText()).contains("already in use");
    assertThat(row(root, "office").get("kind").asText()).isEqualTo("client");

    CliRun table = CliRun.run("top", "--port", String.valueOf(server.adminPort()), "--once");
    assertThat(table.code()).isZero();
    assertThat(line(table.out(), " echo ")).contains("proxy").contains("healthy");

    CliRun refused = CliRun.run("top", "--port", "1", "--once");
    assertThat(refused.code()).isEqualTo(Main.EXIT_USAGE);
    assertThat(refused.err()).contains("cannot reach the admin API at http://127.0.0.1:1");
    assertThat(CliRun.run("top", "--port", "1", "--json").err()).contains("--json needs --once");
  }

  private static JsonNode row(JsonNode root, String name) {
    for (JsonNode r : root.get("rows")) {
      if (r.get("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no row " + name + " in " + root);
  }

  /** The first line of {@code screen} containing {@code text}, or "". */
  private static String line(String screen, String text) {
    return Stream.of(screen.split("\n")).filter(l -> l.contains(text)).findFirst().orElse("");
  }
}
