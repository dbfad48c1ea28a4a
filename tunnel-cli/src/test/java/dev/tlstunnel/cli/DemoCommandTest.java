package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code demo --once} runs the whole tunnel in-process; it needs the real core. */
class DemoCommandTest {

  @Test
  @Timeout(60)
  void demoOnceFetchesThroughTheTunnelAndCleansUp() throws IOException {
    List<Path> before = demoDirs();
    CliRun run = CliRun.run("demo", "--once");
    assertThat(run.err()).doesNotContain("error:");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("through the tunnel:")
        .contains(DemoHttpService.GREETING + " (request #1)");
    assertThat(demoDirs()).containsExactlyInAnyOrderElementsOf(before);
  }

  @Test
  @Timeout(20)
  void rejectsPortsOutOfRange() {
    CliRun run = CliRun.run("demo", "--once", "--publish-port", "70000");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: --publish-port: 70000 is not a port");
  }

  private static List<Path> demoDirs() throws IOException {
    try (Stream<Path> paths = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return paths.filter(p -> p.getFileName().toString().startsWith("tls-tunnel-demo-")).toList();
    }
  }
}
