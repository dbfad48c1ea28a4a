package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start: a zero-config server and the client command line it prints. */
@Timeout(120)
class QuickStartTest {
  private static final String COMMAND = "^  \\./tls-tunnel (client .*)$";
  private static final String FINGERPRINT = "^  fingerprint: (sha256:[0-9a-f]{64})$";

  @TempDir Path dir;

  @Test
  void zeroConfigServerAndThePrintedClientCommandServeAProxy() throws Exception {
    Path state = dir.resolve("state");
    String firstFingerprint;
    String firstCommand;
    try (DemoHttpService service = DemoHttpService.start();
        LiveRun server = zeroConfigServer(state)) {
      firstCommand = server.awaitOut(COMMAND);
      firstFingerprint = server.awaitOut(FINGERPRINT);
      String authKey = Files.readString(state.resolve("auth.key")).trim();
      assertThat(firstCommand)
          .matches(
              "client --server 127\\.0\\.0\\.1:\\d+ --key "
                  + authKey
                  + " --server-fingerprint "
                  + firstFingerprint
                  + " --expose 3000:8080");

      int publish = DemoProbe.freePort();
      String[] clientArgs =
          firstCommand
              .replace("--expose 3000:8080", "--expose " + service.port() + ":" + publish)
              .split(" ");
      try (LiveRun client = LiveRun.start(clientArgs)) {
        URI url = URI.create("http://127.0.0.1:" + publish + "/");
        String body =
            await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> DemoProbe.fetch(url), b -> b.contains(DemoHttpService.GREETING));
        assertThat(body).contains(DemoHttpService.GREETING);
        assertThat(client.stop()).isZero();
      }
      assertThat(server.stop()).isZero();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve("server.key"))))
        .isEqualTo("rw-------");

    // Created once: a second start reuses the certificate and the key.
    try (LiveRun again = zeroConfigServer(state)) {
      assertThat(again.awaitOut(FINGERPRINT)).isEqualTo(firstFingerprint);
      assertThat(again.awaitOut(COMMAND).replaceAll(":\\d+ ", ":P "))
          .isEqualTo(firstCommand.replaceAll(":\\d+ ", ":P "));
      assertThat(again.stop()).isZero();
    }
  }

  @Test
  void theClientRefusesAnotherCertificateShowingBothFingerprints() throws Exception {
    String wrong = "sha256:" + "ab".repeat(32);
    try (LiveRun server = zeroConfigServer(dir.resolve("state"))) {
      String command = server.awaitOut(COMMAND);
      String actual = server.awaitOut(FINGERPRINT);
      String serverAddr = command.replaceAll("^client --server (\\S+) .*$", "$1");
      String key = command.replaceAll("^.* --key (\\S+) .*$", "$1");
      int port = Integer.parseInt(serverAddr.substring(serverAddr.lastIndexOf(':') + 1));
      Path config = ClientConfigs.noReconnect(dir, port, key, "");

      CliRun run = CliRun.run("client", "-c", config.toString(), "--server-fingerprint", wrong);

      assertThat(run.code()).isEqualTo(4);
      assertThat(run.err())
          .isEqualTo(
              "error: TLS handshake with server "
                  + serverAddr
                  + " failed: server certificate fingerprint mismatch: expected "
                  + wrong
                  + ", got "
                  + actual
                  + "; if the server's certificate was replaced on purpose, use the new"
                  + " fingerprint it prints at start, otherwise do not trust this server"
                  + System.lineSeparator());
      assertThat(server.stop()).isZero();
    }
  }

  @Test
  void aNewPublicAddrKeepsTheCertificateAndSaysHowToRenewIt() throws Exception {
    Path state = dir.resolve("state");
    String fingerprint;
    try (LiveRun first = zeroConfigServer(state)) {
      fingerprint = first.awaitOut(FINGERPRINT);
      assertThat(first.stop()).isZero();
    }
    String authKey = Files.readString(state.resolve("auth.key"));
    String renew;
    try (LiveRun again =
        LiveRun.start(
            "server",
            "--state-dir",
            state.toString(),
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--public-addr",
            "tunnel.example.com")) {
      assertThat(again.awaitOut(FINGERPRINT)).isEqualTo(fingerprint);
      Path cert = state.resolve("server.crt");
      assertThat(again.err())
          .contains(
              "warning: certificate "
                  + cert
                  + " does not name tunnel.example.com (--public-addr): it was created before;"
                  + " clients that pin its fingerprint are not affected, clients that verify the"
                  + " host name (ca_cert_path) are\n");
      renew =
          again
              .err()
              .lines()
              .filter(l -> l.contains(" && ./tls-tunnel server "))
              .findFirst()
              .orElseThrow();
      assertThat(renew)
          .endsWith(
              ": rm "
                  + cert
                  + " "
                  + state.resolve("server.key")
                  + " && ./tls-tunnel server"
                  + " --state-dir "
                  + state
                  + " --port 0 --bind 127.0.0.1"
                  + " --public-addr tunnel.example.com");
      assertThat(again.stop()).isZero();
    }
    // Doing what it says: a new certificate that names the host, the same auth key, no warning.
    String command = renew.substring(renew.indexOf(": rm ") + 2);
    String[] rm = command.substring(0, command.indexOf(" && ")).split(" ");
    Files.delete(Path.of(rm[1]));
    Files.delete(Path.of(rm[2]));
    String[] server = command.substring(command.indexOf("./tls-tunnel server") + 13).split(" ");
    try (LiveRun renewed = LiveRun.start(server)) {
      assertThat(renewed.awaitOut(FINGERPRINT)).isNotEqualTo(fingerprint);
      assertThat(renewed.err()).doesNotContain("warning:");
      assertThat(renewed.stop()).isZero();
    }
    assertThat(Files.readString(state.resolve("auth.key"))).isEqualTo(authKey);
    X509Certificate cert;
    try (var in = Files.newInputStream(state.resolve("server.crt"))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    assertThat(CertificateNames.names(cert, "tunnel.example.com")).isTrue();
    assertThat(CertificateNames.names(cert, "127.0.0.1")).isTrue();
    assertThat(CertificateNames.names(cert, "other.example.com")).isFalse();
  }

  private LiveRun zeroConfigServer(Path state) {
    return LiveRun.start(
        "server", "--state-dir", state.toString(), "--port", "0", "--bind", "127.0.0.1");
  }
}
