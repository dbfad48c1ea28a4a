package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls-tunnel reload -c FILE} reaching a running client through the Unix socket in its state
 * directory: the dry-run plan (against a golden file), applying, an invalid file; and SIGHUP in a
 * real process.
 */
class ReloadCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void dryRunPrintsThePlanThenReloadAppliesItAndAnInvalidFileIsRefused() throws Exception {
    Path config = SampleConfigs.write(dir.resolve("client.toml"), client(1, web(3000) + db()));
    Path state = dir.resolve("state");
    try (LiveRun client =
        LiveRun.start("client", "-c", config.toString(), "--state-dir", state.toString())) {
      Path socket = ReloadSocket.of(state, config);
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(socket) || client.isDone());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");

      SampleConfigs.write(config, client(2, web(3001) + api()));
      CliRun plan = reload(config, state, "--dry-run");
      assertThat(plan.err()).isEmpty();
      assertThat(plan.code()).isZero();
      assertThat(plan.out()).isEqualTo(golden("reload/client-dry-run.txt"));

      SampleConfigs.write(config, client(1, web(3001) + api()));
      CliRun applied = reload(config, state);
      assertThat(applied.err()).isEmpty();
      assertThat(applied.out())
          .isEqualTo(
              "Applied: not connected: the next session registers the proxies\n"
                  + "  proxy 'web': restart, local 127.0.0.1:3000 -> 127.0.0.1:3001; open"
                  + " connections may finish within shutdown_grace (10s) [applied]\n"
                  + "  proxy 'api': add, publish 127.0.0.1:18081, local 127.0.0.1:8080 [applied]\n"
                  + "  proxy 'db': remove, open connections may finish within shutdown_grace"
                  + " (10s) [applied]\n");
      assertThat(applied.code()).isZero();

      SampleConfigs.write(config, client(1, web(70000)));
      CliRun invalid = reload(config, state);
      assertThat(invalid.code()).isEqualTo(1);
      assertThat(invalid.out())
          .startsWith("Refused, nothing changed: " + config + ": proxies[0].local_port: ");

      CliRun again = reload(config, state, "--dry-run");
      assertThat(again.code()).isEqualTo(1);
      assertThat(client.isDone()).isFalse();
    }
  }

  @Test
  @Timeout(60)
  void aServerRotatesItsKeyAndRefusesANewTunnelPort() throws Exception {
    int port = DemoProbe.freePort();
    Path config = SampleConfigs.server(dir, port, "first-key-0123456789");
    Path state = dir.resolve("state");
    try (LiveRun server =
        LiveRun.start("server", "-c", config.toString(), "--state-dir", state.toString())) {
      Path socket = ReloadSocket.of(state, config);
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(socket) || server.isDone());
      String first = Files.readString(config);

      SampleConfigs.write(config, first.replace("first-key-0123456789", "second-key-0123456789"));
      CliRun rotated = reload(config, state);
      assertThat(rotated.err()).isEmpty();
      assertThat(rotated.out())
          .isEqualTo(
              "Applied: 1 updated\n"
                  + "  server.auth_key: update, changed (the previous key is still accepted for"
                  + " key_rotation_window (1h); open sessions stay) [applied]\n");
      assertThat(rotated.code()).isZero();

      String second = Files.readString(config);
      SampleConfigs.write(
          config, second.replace("bind_port = " + port, "bind_port = " + (port + 1)));
      CliRun refused = reload(config, state, "--json");
      assertThat(refused.code()).isEqualTo(1);
      assertThat(refused.out())
          .contains("\"outcome\" : \"refused\"")
          .contains(
              "server.bind_port: "
                  + port
                  + " -> "
                  + (port + 1)
                  + " (cannot change while the server runs; restart the server to apply it)");
      assertThat(server.isDone()).isFalse();
    }
  }

  @Test
  @Timeout(20)
  void withoutARunningProcessItSaysWhereItLooked() throws Exception {
    Path config = SampleConfigs.write(dir.resolve("client.toml"), client(1, web(3000)));
    Path state = dir.resolve("state");
    CliRun run = reload(config, state);
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "error: no running server or client of "
                + config
                + " listens on "
                + ReloadSocket.of(state, config)
                + " (is it running, started with -c "
                + config
                + "? with another --state-dir?)\n");
  }

  @Test
  @Timeout(90)
  void sighupReloadsTheFileInARealProcess() throws Exception {
    Path config = SampleConfigs.write(dir.resolve("client.toml"), client(1, web(3000)));
    Path state = dir.resolve("state");
    Path log = dir.resolve("client.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "client",
                "-c",
                config.toString(),
                "--state-dir",
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> read(log).contains("Reload requests accepted on") || !process.isAlive());
      assertThat(process.isAlive()).as(read(log)).isTrue();
      SampleConfigs.write(config, client(1, web(3000) + api()));

      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).isZero();

      String added = "proxy 'api': add, publish 127.0.0.1:18081, local 127.0.0.1:8080 [applied]";
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                if (process.isAlive()) {
                  assertThat(read(log)).contains(added);
                }
              });
      assertThat(read(log)).contains("Reloaded client.toml: ", added);
      assertThat(process.isAlive()).isTrue();
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static CliRun reload(Path config, Path state, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("reload", "-c", config.toString(), "--state-dir", state.toString()));
    args.addAll(List.of(more));
    return CliRun.run(args.toArray(String[]::new));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String golden(String resource) throws Exception {
    try (var in = ReloadCommandTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A client of a server nobody runs (port {@code serverPort} on 127.0.0.1 is not listened on). */
  private static String client(int serverPort, String proxies) {
    return """
        [client]
        server_addr = "127.0.0.1"
        server_port = %d
        auth_key = "secret-key-0123456789"
        client_id = "office-pc"
        skip_verify = true

        [client.reconnect]
        initial_delay = "5s"
        max_delay = "5s"
        """
            .formatted(serverPort)
        + proxies;
  }

  private static String web(int localPort) {
    return """

        [[proxies]]
        name = "web"
        publish_addr = "127.0.0.1"
        publish_port = 18080
        local_addr = "127.0.0.1"
        local_port = %d
        """
        .formatted(localPort);
  }

  private static String db() {
    return """

        [[proxies]]
        name = "db"
        publish_addr = "127.0.0.1"
        publish_port = 15432
        local_addr = "127.0.0.1"
        local_port = 5432
        """;
  }

  private static String api() {
    return """

        [[proxies]]
        name = "api"
        publish_addr = "127.0.0.1"
        publish_port = 18081
        local_addr = "127.0.0.1"
        local_port = 8080
        """;
  }
}
