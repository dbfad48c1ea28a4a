package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls-tunnel service install}: the unit text, installing, and refusing without systemd. */
@Timeout(30)
class ServiceCommandTest {
  @TempDir Path dir;

  @Test
  void unitTextForASampleConfig() throws Exception {
    String unit =
        SystemdUnit.render(
            "client",
            Path.of("/etc/tls-tunnel/office pc.toml"),
            InstalledCopy.of(Path.of("/src/tunnel-cli/target/tls-tunnel.jar"), Path.of("/opt/tt")),
            "tunnel");
    assertThat(unit)
        .isEqualTo(
            """
            # Written by 'tls-tunnel service install client'.
            # Runs the launcher of the copy installed in /opt/tt, which adds the JVM flags of ./tls-tunnel.
            [Unit]
            Description=tls-tunnel client (/etc/tls-tunnel/office pc.toml)
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=simple
            ExecStart=/opt/tt/tls-tunnel client -c "/etc/tls-tunnel/office pc.toml"
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
    Path jar = Files.createFile(dir.resolve("tls-tunnel.jar"));
    CliRun run =
        CliRun.run(
            "service",
            "install",
            "server",
            "-c",
            config.toString(),
            "--print",
            "--jar",
            jar.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("Description=tls-tunnel server (" + config.toAbsolutePath() + ")")
        .contains(
            "\nExecStart=/opt/tls-tunnel/tls-tunnel server -c " + config.toAbsolutePath() + "\n")
        .contains("\nRestart=on-failure\n", "\nWantedBy=multi-user.target\n")
        .doesNotContain("User=", "java -jar", "target/");
  }

  @Test
  void aReleaseArchiveIsRunWhereItIs() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    Path home = Files.createDirectories(dir.resolve("tls-tunnel-1.0-linux-x64/lib")).getParent();
    Files.createFile(home.resolve("tls-tunnel"));
    Path jar = Files.createFile(home.resolve("lib/tls-tunnel.jar"));
    Path root = systemdRoot();
    CliRun run =
        CliRun.run(
            "service",
            "install",
            "server",
            "-c",
            config.toString(),
            "--jar",
            jar.toString(),
            "--root",
            root.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).doesNotContain("Installed");
    assertThat(Files.readString(root.resolve("etc/systemd/system/tls-tunnel-server.service")))
        .contains("\nExecStart=" + home.resolve("tls-tunnel") + " server -c ")
        .contains("# Runs the launcher of the release archive in " + home + ",");
    assertThat(root.resolve("opt")).doesNotExist();
  }

  @Test
  void installCopiesTheJarAndTheLauncher() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, "service-key-0123456789");
    Path jar = Files.writeString(dir.resolve("tls-tunnel.jar"), "not really a jar");
    Path root = systemdRoot();
    CliRun run =
        CliRun.run(
            "service",
            "install",
            "client",
            "-c",
            SampleConfigs.client(dir, null, null).toString(),
            "--jar",
            jar.toString(),
            "--install-dir",
            "/usr/local/lib/tls-tunnel",
            "--root",
            root.toString());
    assertThat(run.code()).as(run.err()).isZero();
    Path copy = root.resolve("usr/local/lib/tls-tunnel");
    assertThat(run.out())
        .startsWith(
            "Installed /usr/local/lib/tls-tunnel/tls-tunnel and"
                + " /usr/local/lib/tls-tunnel/lib/tls-tunnel.jar\n");
    assertThat(copy.resolve("lib/tls-tunnel.jar")).hasContent("not really a jar");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(copy.resolve("tls-tunnel"))))
        .isEqualTo("rwxr-xr-x");
    assertThat(Files.readString(copy.resolve("tls-tunnel")))
        .isEqualTo(Files.readString(Path.of("../tls-tunnel")))
        .contains("-XX:+UseSerialGC");
    assertThat(copy.resolve("runtime/bin/java")).isExecutable();
    assertThat(Files.readString(root.resolve("etc/systemd/system/tls-tunnel-client.service")))
        .contains("\nExecStart=/usr/local/lib/tls-tunnel/tls-tunnel client -c ");
    assertThat(config).exists();
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
    Path root = systemdRoot();
    CliRun run =
        CliRun.run(
            "service",
            "install",
            "server",
            "-c",
            config.toString(),
            "--name",
            "tunnel-a",
            "--jar",
            Files.createFile(dir.resolve("t.jar")).toString(),
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

  /** A root directory where systemd seems to run. */
  private Path systemdRoot() throws Exception {
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("run/systemd/system"));
    Files.createDirectories(root.resolve("etc/systemd/system"));
    return root;
  }
}
