package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code check}: all but the missing-file case need the real ConfigLoader. */
class CheckCommandTest {

  @Test
  @Timeout(20)
  void goodServerConfigPrintsOkAndSummary(@TempDir Path dir) throws IOException {
    Path file = SampleConfigs.server(dir, 7000, "secret-key-0123456789");
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .startsWith("OK: server config " + file + "\n")
        .contains("listen:      127.0.0.1:7000")
        .contains("bind retry:  10 retries, 2s doubling to 60s", "forwarding:  off");
  }

  @Test
  @Timeout(20)
  void goodClientConfigPrintsOkAndProxies(@TempDir Path dir) throws IOException {
    Path file = SampleConfigs.client(dir, "127.0.0.1", 7400);
    CliRun run = CliRun.run("check", "--config", file.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .startsWith("OK: client config " + file + "\n")
        .contains("server:    127.0.0.1:7000")
        .contains("admin api: 127.0.0.1:7400")
        .contains("proxies:   1")
        .contains("web: 127.0.0.1:18080 -> 127.0.0.1:3000 (tcp)");
  }

  @Test
  @Timeout(20)
  void badClientConfigPrintsEveryProblemOnItsOwnLine(@TempDir Path dir) throws IOException {
    Path file =
        SampleConfigs.write(
            dir.resolve("bad.toml"),
            """
            [client]
            server_port = 7000
            auth_key = "secret-key-0123456789"

            [[proxies]]
            name = "web"
            publish_port = 70000
            local_port = 3000
            """);
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines().toList())
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(line -> assertThat(line).startsWith("error: "))
        .anySatisfy(line -> assertThat(line).contains("server_addr"))
        .anySatisfy(line -> assertThat(line).startsWith("error: proxies[0].publish_port"));
  }

  @Test
  @Timeout(20)
  void fileThatIsNeitherServerNorClientIsAnError(@TempDir Path dir) throws IOException {
    Path file = SampleConfigs.write(dir.resolve("other.toml"), "[something]\nkey = 1\n");
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: ");
  }

  @Test
  @Timeout(20)
  void missingFileIsOneLine() {
    CliRun run = CliRun.run("check", "-c", "/nonexistent/server.toml");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: /nonexistent/server.toml: no such file\n");
  }
}
