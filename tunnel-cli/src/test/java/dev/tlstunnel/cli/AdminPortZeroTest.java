package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code admin_port = 0}: the client records the port it got, and {@code status} finds it. */
class AdminPortZeroTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void statusFindsThePortTheClientRecorded() throws Exception {
    int port = DemoProbe.freePort();
    Path serverConfig = SampleConfigs.server(dir, port, "right-key-0123456789");
    Path clientConfig =
        SampleConfigs.client(
            dir,
            "127.0.0.1",
            port,
            "right-key-0123456789",
            dir.resolve("localhost-cert.pem"),
            "127.0.0.1",
            0);
    Path state = dir.resolve("state");
    Path record = state.resolve("client-office-pc.admin");
    try (LiveRun server = LiveRun.start("server", "-c", serverConfig.toString());
        LiveRun client =
            LiveRun.start(
                "client", "-c", clientConfig.toString(), "--state-dir", state.toString())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(record) || client.isDone());
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record)))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
          .isEqualTo("rwx------");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                CliRun status =
                    CliRun.run(
                        "status", "-c", clientConfig.toString(), "--state-dir", state.toString());
                assertThat(status.err()).isEmpty();
                assertThat(status.code()).isZero();
                assertThat(status.out())
                    .startsWith("Session: connected to 127.0.0.1:" + port + " as office-pc");
              });
      assertThat(client.stop()).isZero();
      assertThat(record).doesNotExist();
      assertThat(server.stop()).isZero();
    }
    CliRun after =
        CliRun.run("status", "-c", clientConfig.toString(), "--state-dir", state.toString());
    assertThat(after.code()).isEqualTo(1);
    assertThat(after.err())
        .isEqualTo(
            "error: admin_port = 0 in "
                + clientConfig
                + ", and no running client recorded the port it got in "
                + record
                + " (is the client running? with another --state-dir?); or give --port\n");
  }

  @Test
  @Timeout(20)
  void aRecordOfAClientThatIsGoneIsSaidSo() throws Exception {
    Path clientConfig = SampleConfigs.client(dir, "127.0.0.1", 0);
    Path state = Files.createDirectory(dir.resolve("state"));
    Path record = state.resolve("client-office-pc.admin");
    long gone = new ProcessBuilder("true").start().onExit().get().pid();
    Files.writeString(
        record, "{\"admin_addr\":\"127.0.0.1\",\"admin_port\":45678,\"pid\":" + gone + "}\n");
    CliRun run =
        CliRun.run("status", "-c", clientConfig.toString(), "--state-dir", state.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "error: the client that recorded port 45678 in "
                + record
                + " (pid "
                + gone
                + ") is no longer running\n");
  }
}
