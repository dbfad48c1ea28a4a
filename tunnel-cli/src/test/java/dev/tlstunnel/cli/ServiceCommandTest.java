package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls-tunnel service install}: the unit text, installing, and refusing without systemd. */
@Timeout(30)
class ServiceCommandTest {
  @TempDir Path dir;

  @Test
  void unitTextForASampleConfig() {
    String unit =
        SystemdUnit.render(
            "client",
            Path.of("/etc/tls-tunnel/office pc.toml"),
            List.of("/usr/lib/jvm/java-17/bin/java", "-jar", "/opt/tls-tunnel/tls-tunnel.jar"),
            "tunnel");
    assertThat(unit)
        .isEqualTo(
            """
            # Written by 'tls-tunnel service install client'.
            [Unit]
            Description=tls-tunnel client (/etc/tls-tunnel/office pc.toml)
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=simple
            ExecStart=/usr/lib/jvm/java-17/bin/java -jar /opt/tls-tunnel/tls-tunnel.jar client -c "/etc/tls-tunnel/office pc.toml"
            User=tunnel
            Restart=on-failure
            RestartSec=5s
            # Exit code 1 is a usage or configuration error: restarting would only repeat it.
            RestartPreventExitStatus=1
            # Java's exit code when stopped by SIGTERM before tls-tunnel handles it.
            SuccessExitStatus=143
            NoNewPrivileges=true
            PrivateTmp=true
            ProtectSystem=full

            [Install]
            WantedBy=multi-user.target
            """);
  }

  @Test
  void printShowsTheUnitForTheCheckedConfig() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    CliRun run = CliRun.run("service", "install", "server", "-c", config.toString(), "--print");
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("Description=tls-tunnel server (" + config.toAbsolutePath() + ")")
        .containsPattern("(?m)^ExecStart=\\S*java .* server -c " + config.toAbsolutePath() + "$")
        .contains("\nRestart=on-failure\n", "\nWantedBy=multi-user.target\n")
        .doesNotContain("User=");
  }

  @Test
  void refusesWhereSystemdIsAbsent() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    Path root = Files.createDirectory(dir.resolve("root"));
    CliRun run =
        CliRun.run(
            "service", "install", "server", "-c", config.toString(), "--root", root.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "error: systemd is not running on this machine ("
                + root.resolve("run/systemd/system")
                + " is missing): use --print to see the unit, or run 'tls-tunnel server -c "
                + config.toAbsolutePath()
                + "' under your own supervisor"
                + System.lineSeparator());
    assertThat(root.resolve("etc")).doesNotExist();
  }

  @Test
  void refusesForRealOnThisMachineWhenSystemdIsNotRunning() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    CliRun run = CliRun.run("service", "install", "server", "-c", config.toString());
    if (Files.isDirectory(Path.of("/run/systemd/system"))) {
      // A CI machine with systemd: installing needs root, so either it installed or it said why.
      assertThat(run.err() + run.out()).containsAnyOf("permission denied", "systemctl");
    } else {
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err()).startsWith("error: systemd is not running on this machine");
    }
  }

  @Test
  void installsWhereSystemdRuns() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("run/systemd/system"));
    Files.createDirectories(root.resolve("etc/systemd/system"));
    CliRun run =
        CliRun.run(
            "service",
            "install",
            "server",
            "-c",
            config.toString(),
            "--name",
            "tunnel-a",
            "--root",
            root.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    Path unit = root.resolve("etc/systemd/system/tunnel-a.service");
    assertThat(Files.readString(unit)).contains("Restart=on-failure");
    assertThat(run.out())
        .contains(
            "Wrote " + unit,
            "sudo systemctl daemon-reload && sudo systemctl enable --now tunnel-a");
  }

  @Test
  void refusesAConfigOfTheOtherSide() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    CliRun run = CliRun.run("service", "install", "client", "-c", config.toString(), "--print");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("this is a server configuration");
  }
}
