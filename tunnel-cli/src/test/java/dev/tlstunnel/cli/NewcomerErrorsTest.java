package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The errors a new user meets first: one line each, saying what to do, and a non-zero exit. */
@Timeout(60)
class NewcomerErrorsTest {
  private static final String KEY = "newcomer-key-0123456789";
  private static final String NL = System.lineSeparator();

  @TempDir Path dir;

  @Test
  void serverPortTakenWithAConfigFile() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Path config = SampleConfigs.server(dir, port, KEY);
      CliRun run = server("-c", config.toString());
      assertThat(run.err())
          .isEqualTo(
              "error: cannot listen on tunnel port 127.0.0.1:"
                  + port
                  + ": Port "
                  + port
                  + " is already in use by another process; stop the process that holds it, or"
                  + " choose another port with server.bind_port in "
                  + config
                  + NL);
      assertThat(run.code()).isEqualTo(3);
    }
  }

  @Test
  void serverPortTakenWithoutAConfigFile() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      CliRun run =
          server(
              "--state-dir",
              dir.resolve("state").toString(),
              "--bind",
              "127.0.0.1",
              "--port",
              String.valueOf(port));
      assertThat(run.err())
          .isEqualTo(
              "error: cannot listen on tunnel port 127.0.0.1:"
                  + port
                  + ": Port "
                  + port
                  + " is already in use by another process; stop the process that holds it, or"
                  + " choose another port with --port"
                  + NL);
      assertThat(run.code()).isEqualTo(3);
    }
  }

  @Test
  void missingCertificateFile() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, KEY);
    Path cert = dir.resolve("localhost-cert.pem");
    Files.delete(cert);
    CliRun run = server("-c", config.toString());
    assertThat(run.err()).isEqualTo("error: server.cert_path: file not found: " + cert + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void unreadableCertificate() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, KEY);
    Path cert = Files.writeString(dir.resolve("localhost-cert.pem"), "this is not a certificate\n");
    CliRun run = server("-c", config.toString());
    assertThat(run.err())
        .isEqualTo(
            "error: certificate "
                + cert
                + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); point cert_path at the"
                + " certificate file, not the key"
                + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void unreadableKey() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, KEY);
    Path key = Files.writeString(dir.resolve("localhost-key.pem"), "garbage");
    CliRun run = server("-c", config.toString());
    assertThat(run.err())
        .isEqualTo(
            "error: private key "
                + key
                + " holds no PEM private key (-----BEGIN PRIVATE KEY-----); point key_path at the"
                + " key file, not the certificate"
                + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void keyDoesNotMatchCertificate() throws Exception {
    Path config = SampleConfigs.server(dir, 7000, KEY);
    Path other = TestPki.selfSigned(Files.createDirectory(dir.resolve("other")), "other").key();
    Files.copy(
        other, dir.resolve("localhost-key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    CliRun run = server("-c", config.toString());
    assertThat(run.err())
        .isEqualTo(
            "error: private key "
                + dir.resolve("localhost-key.pem")
                + " does not match certificate "
                + dir.resolve("localhost-cert.pem")
                + ": use the key file that was created together with this certificate"
                + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void serverUnreachable() throws Exception {
    int port = DemoProbe.freePort();
    Path config = ClientConfigs.noReconnect(dir, port, KEY, "");
    CliRun run = CliRun.run("client", "-c", config.toString());
    assertThat(run.err())
        .startsWith("error: cannot reach server 127.0.0.1:" + port + ": ")
        .contains("Connection refused")
        .endsWith(
            "; check that the server is running, that the address and port are right, and that"
                + " no firewall blocks the port"
                + NL)
        .hasLineCount(1);
    assertThat(run.code()).isEqualTo(4);
  }

  @Test
  void wrongKey() throws Exception {
    TestPki.CertFiles pki = TestPki.selfSigned(dir, "localhost");
    try (TunnelServer server =
        TunnelServer.start(
            ServerConfig.builder()
                .bind("127.0.0.1", 0)
                .certificate(pki.cert(), pki.key())
                .authKey(KEY)
                .build())) {
      Path config =
          ClientConfigs.noReconnect(
              dir, server.address().getPort(), "not-the-key-0123456789", "skip_verify = true");
      CliRun run = CliRun.run("client", "-c", config.toString());
      assertThat(run.err())
          .isEqualTo(
              "error: server 127.0.0.1:"
                  + server.address().getPort()
                  + " refused this client: authentication failed: invalid auth key; use the key"
                  + " the server printed at start (its server.auth_key)"
                  + NL);
      assertThat(run.code()).isEqualTo(2);
    }
  }

  @Test
  void configTypoNamesTheClosestKey() throws Exception {
    Path config =
        SampleConfigs.write(
            dir.resolve("client.toml"),
            """
            [client]
            server_addr = "127.0.0.1"
            server_port = 7000
            auth_key = "%s"
            skip_verfy = true
            """
                .formatted(KEY));
    CliRun run = CliRun.run("client", "-c", config.toString());
    assertThat(run.err())
        .isEqualTo("error: client.skip_verfy: unknown key (did you mean skip_verify?)" + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void quickClientErrorsNameTheOptions() {
    CliRun run =
        CliRun.run(
            "client", "--server", "127.0.0.1:7000", "--key", "short", "--expose", "web=0:8080");
    assertThat(run.err())
        .isEqualTo(
            "error: --key: must be at least 16 characters (got 5)"
                + NL
                + "error: --expose 'web=0:8080': must be between 1 and 65535, got 0"
                + NL);
    assertThat(run.code()).isEqualTo(1);
  }

  @Test
  void clientWithoutConfigOrServerSaysWhatToGive() {
    CliRun run = CliRun.run("client");
    assertThat(run.err())
        .startsWith(
            "error: give -c FILE, or --server HOST:PORT and --key KEY (with --server-fingerprint"
                + " and --expose) to run without a config file");
    assertThat(run.code()).isEqualTo(1);
  }

  /** Runs {@code server} with a time limit: a server that starts by mistake fails the test. */
  private static CliRun server(String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "server";
    System.arraycopy(args, 0, all, 1, args.length);
    try (LiveRun run = LiveRun.start(all)) {
      int code = run.awaitExit();
      return new CliRun(code, run.out(), run.err());
    }
  }
}
