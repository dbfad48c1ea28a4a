package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tls-tunnel cert}: the files it writes work in a real server and client. */
@Timeout(60)
class CertCommandTest {
  private static final int DNS = 2;
  private static final int IP = 7;
  private static final String KEY = "cert-test-key-0123456789";
  private static final ReconnectPolicy NO_RECONNECT =
      new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(1), false);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"ec", "rsa"})
  void generatedCertificateServesAClientThatVerifiesTheIpAndDnsNames(String keyType)
      throws Exception {
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    CliRun run =
        CliRun.run(
            "cert",
            "--common-name",
            "tunnel.test",
            "--alt-names",
            "tunnel.test,DNS:localhost,127.0.0.1,IP:::1",
            "--days",
            "30",
            "--key-type",
            keyType,
            "--cert-out",
            cert.toString(),
            "--key-out",
            key.toString());
    assertThat(run.code()).as(run.err()).isZero();

    X509Certificate x509 = read(cert);
    assertThat(x509.getSubjectX500Principal().getName()).isEqualTo("CN=tunnel.test");
    assertThat(x509.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(DNS, "tunnel.test"),
            List.of(DNS, "localhost"),
            List.of(IP, "127.0.0.1"),
            List.of(IP, "0:0:0:0:0:0:0:1"));
    assertThat(x509.getPublicKey().getAlgorithm()).isEqualTo(keyType.toUpperCase());
    x509.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(29))));
    assertThat(x509.getNotAfter()).isBefore(Date.from(Instant.now().plus(Duration.ofDays(31))));
    String fingerprint = Fingerprints.sha256(x509);
    assertThat(run.out())
        .contains("  fingerprint: " + fingerprint + "\n")
        .contains("  alt names:   DNS:tunnel.test, DNS:localhost, IP:127.0.0.1, IP:::1\n");

    try (TunnelServer server =
        TunnelServer.start(
            ServerConfig.builder()
                .bind("127.0.0.1", 0)
                .certificate(cert, key)
                .authKey(KEY)
                .build())) {
      int port = server.address().getPort();
      // CA verification with host-name checks: by IP address and by DNS name.
      assertConnects(client("127.0.0.1", port).caCertPath(cert).build());
      assertConnects(client("localhost", port).caCertPath(cert).build());
      // Pinning.
      assertConnects(client("127.0.0.1", port).serverFingerprint(fingerprint).build());
    }
  }

  @Test
  void pinningNeedsNoMatchingHostNameWhileCaVerificationDoes() throws Exception {
    Path cert = dir.resolve("other.crt");
    Path key = dir.resolve("other.key");
    CliRun run =
        CliRun.run(
            "cert",
            "--common-name",
            "elsewhere.test",
            "--cert-out",
            cert.toString(),
            "--key-out",
            key.toString());
    assertThat(run.code()).as(run.err()).isZero();
    String fingerprint = Fingerprints.sha256(read(cert));
    try (TunnelServer server =
        TunnelServer.start(
            ServerConfig.builder()
                .bind("127.0.0.1", 0)
                .certificate(cert, key)
                .authKey(KEY)
                .build())) {
      int port = server.address().getPort();
      assertConnects(client("127.0.0.1", port).serverFingerprint(fingerprint).build());
      try (TunnelClient client =
          TunnelClient.start(client("127.0.0.1", port).caCertPath(cert).build())) {
        ClientExit exit = client.exit().get(20, TimeUnit.SECONDS);
        assertThat(exit.failure().kind()).isEqualTo(FailureKind.UNTRUSTED_SERVER);
        assertThat(exit.message()).startsWith("TLS handshake with server 127.0.0.1:" + port);
      }
    }
  }

  @Test
  void refusesToOverwriteWithoutForce() throws Exception {
    Path cert = Files.writeString(dir.resolve("server.crt"), "keep me");
    CliRun run =
        CliRun.run(
            "cert", "--cert-out", cert.toString(), "--key-out", dir.resolve("k.pem").toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "error: "
                + cert
                + " already exists: remove it, choose another file, or add --force to overwrite"
                + System.lineSeparator());
    assertThat(Files.readString(cert)).isEqualTo("keep me");
  }

  @Test
  void rejectsAnAltNameThatIsNeitherDnsNorIp() {
    CliRun run =
        CliRun.run("cert", "--alt-names", "not a name", "--cert-out", "x", "--key-out", "y");
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("error: --alt-names: 'not a name' is neither a DNS name nor an IP address");
  }

  private static ClientConfig.Builder client(String host, int port) {
    return ClientConfig.builder()
        .server(host, port)
        .authKey(KEY)
        .clientId("cert-test")
        .reconnect(NO_RECONNECT);
  }

  private static void assertConnects(ClientConfig config) throws Exception {
    try (TunnelClient client = TunnelClient.start(config)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  client.exit().isDone()
                      || client.status().sessionState() == SessionState.CONNECTED);
      assertThat(client.exit()).as(() -> String.valueOf(client.status().lastError())).isNotDone();
    }
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
