package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  void serverCheckRefusesAKeyThatDoesNotMatchItsCertificate(@TempDir Path dir) throws Exception {
    Path file = SampleConfigs.server(dir, 7000, "secret-key-0123456789");
    Path other = Files.createDirectory(dir.resolve("other"));
    Path key = dir.resolve("localhost-key.pem");
    Files.copy(
        TestPki.selfSigned(other, "localhost").key(), key, StandardCopyOption.REPLACE_EXISTING);
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "error: private key "
                + key
                + " does not match certificate "
                + dir.resolve("localhost-cert.pem")
                + ": use the key file that was created together with this certificate\n");
    // The same words as the server, which refuses it too.
    CliRun server = CliRun.run("server", "-c", file.toString());
    assertThat(server.code()).isEqualTo(1);
    assertThat(server.err()).isEqualTo(run.err());
  }

  @Test
  @Timeout(20)
  void serverCheckRefusesTheCertificateGivenAsKey(@TempDir Path dir) throws Exception {
    Path file = SampleConfigs.server(dir, 7000, "secret-key-0123456789");
    Files.copy(
        dir.resolve("localhost-cert.pem"),
        dir.resolve("localhost-key.pem"),
        StandardCopyOption.REPLACE_EXISTING);
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).startsWith("error: private key ").contains("holds no PEM private key");
  }

  @Test
  @Timeout(20)
  void clientCheckTellsThePinnedFingerprint(@TempDir Path dir) throws IOException {
    Path file = SampleConfigs.client(dir, "127.0.0.1", 7400);
    String fingerprint = "sha256:" + "AB".repeat(32);
    Files.writeString(
        file,
        Files.readString(file)
            .replace("client_id = ", "server_fingerprint = \"" + fingerprint + "\"\nclient_id = "));
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains(
            "  trust:     pinned certificate sha256:"
                + "ab".repeat(32)
                + " (server_fingerprint; no CA or host-name check)\n")
        .doesNotContain("system trust store");
  }

  @Test
  @Timeout(20)
  void warningsArePlainLinesOnStderr(@TempDir Path dir) throws IOException {
    Path file = SampleConfigs.client(dir, "127.0.0.1", 7400);
    Files.writeString(
        file, Files.readString(file).replace("[client]\n", "[client]\nskip_verify = true\n"));
    CliRun run = CliRun.run("check", "-c", file.toString());
    assertThat(run.code()).isZero();
    assertThat(run.err())
        .isEqualTo("warning: client.skip_verify: server certificate is not verified\n");
    assertThat(run.out()).contains("  trust:     any certificate (skip_verify = true, insecure)");
  }

  @Test
  @Timeout(20)
  void missingFileIsOneLine() {
    CliRun run = CliRun.run("check", "-c", "/nonexistent/server.toml");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("error: /nonexistent/server.toml: no such file\n");
  }
}
