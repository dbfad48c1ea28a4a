package dev.tlstunnel.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.LogCapture;
import dev.tlstunnel.testing.TestPki;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Certificate pinning with {@code server_fingerprint}, on both TLS providers. */
@Timeout(60)
class PinningTest {
  private static final String WRONG = "sha256:" + "ab".repeat(32);
  private static final ReconnectPolicy NO_RECONNECT =
      new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(1), false);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void trustsExactlyThePinnedCertificate(String provider) throws Exception {
    withProvider(
        provider,
        () -> {
          try (TunnelFixture fixture = new TunnelFixture(dir)) {
            TunnelServer server = fixture.startServer();
            String pin = fingerprintOf(fixture.pki().cert());
            // Upper case with colons, as openssl prints it: accepted too.
            String openSslStyle = "sha256:" + colons(pin.substring(7)).toUpperCase(Locale.ROOT);
            TunnelClient client =
                fixture.startClient(pinned(fixture, server, openSslStyle, "pinned"));
            await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> client.status().sessionState() == SessionState.CONNECTED);
          }
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void refusesAnotherCertificateShowingBothFingerprints(String provider) throws Exception {
    withProvider(
        provider,
        () -> {
          try (TunnelFixture fixture = new TunnelFixture(dir)) {
            TunnelServer server = fixture.startServer();
            String actual = fingerprintOf(fixture.pki().cert());
            // Reconnect stays on: an untrusted server certificate ends the client, it is not
            // retried.
            TunnelClient client =
                fixture.startClient(
                    pinned(fixture, server, WRONG, "wrong").toBuilder()
                        .reconnect(ReconnectPolicy.DEFAULT)
                        .build());
            ClientExit exit = client.exit().get(20, TimeUnit.SECONDS);
            assertThat(exit.failure().kind()).isEqualTo(FailureKind.UNTRUSTED_SERVER);
            assertThat(exit.failure().expectedFingerprint()).isEqualTo(WRONG);
            assertThat(exit.failure().actualFingerprint()).isEqualTo(actual);
            assertThat(exit.message())
                .contains(
                    "server certificate fingerprint mismatch: expected "
                        + WRONG
                        + ", got "
                        + actual);
            assertThat(server.snapshot().sessions()).isEmpty();
          }
        });
  }

  /** The server's side of a client's pin mismatch, for each pair of TLS providers. */
  @ParameterizedTest
  @CsvSource({"openssl,openssl", "openssl,jdk", "jdk,openssl", "jdk,jdk"})
  void serverSaysTheClientRejectedItsCertificate(String serverTls, String clientTls)
      throws Exception {
    try (TunnelFixture fixture = new TunnelFixture(dir);
        LogCapture serverLog =
            new LogCapture(Class.forName("dev.tlstunnel.server.TunnelTailHandler"))) {
      TunnelServer[] server = new TunnelServer[1];
      withProvider(serverTls, () -> server[0] = fixture.startServer());
      withProvider(
          clientTls,
          () -> {
            TunnelClient client = fixture.startClient(pinned(fixture, server[0], WRONG, "wrong"));
            client.exit().get(20, TimeUnit.SECONDS);
          });
      String line =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> serverLog.warnings("TLS handshake"), l -> !l.isEmpty())
              .get(0);
      System.out.printf("server %s, client %s: %s%n", serverTls, clientTls, line);
      assertThat(line)
          .matches(
              "TLS handshake with /127\\.0\\.0\\.1:\\d+ failed: the client rejected this"
                  + " server's certificate \\(probably a pinned fingerprint that does not"
                  + " match\\): .+");
    }
  }

  @Test
  void malformedFingerprintIsRefusedWhenBuildingTheContext() {
    assertThatThrownBy(() -> TlsContexts.forClient(null, false, "sha256:abc", TlsProvider.JDK))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("64 hex digits");
  }

  @Test
  void normalizeDropsColonsAndCase() {
    String hex = "0123456789abcdef".repeat(4);
    assertThat(Fingerprints.normalize("SHA256:" + colons(hex).toUpperCase(Locale.ROOT)))
        .isEqualTo("sha256:" + hex);
  }

  @Test
  void serverRefusesAKeyThatDoesNotMatchItsCertificate() throws Exception {
    TestPki.CertFiles one = TestPki.selfSigned(Files.createDirectory(dir.resolve("one")), "one");
    TestPki.CertFiles two = TestPki.selfSigned(Files.createDirectory(dir.resolve("two")), "two");
    assertThatThrownBy(() -> TlsContexts.forServer(one.cert(), two.key(), TlsProvider.JDK))
        .hasMessage(
            "private key "
                + two.key()
                + " does not match certificate "
                + one.cert()
                + ": use the key file that was created together with this certificate");
  }

  @Test
  void serverRefusesSwappedCertificateAndKey() throws Exception {
    TestPki.CertFiles pki = TestPki.selfSigned(dir, "localhost");
    assertThatThrownBy(() -> TlsContexts.forServer(pki.key(), pki.cert(), TlsProvider.JDK))
        .hasMessageStartingWith("certificate " + pki.key() + " holds no PEM certificate");
  }

  private static ClientConfig pinned(
      TunnelFixture fixture, TunnelServer server, String pin, String id) throws Exception {
    return fixture.clientConfig(server.address().getPort(), id, List.of()).toBuilder()
        .caCertPath(null)
        .serverFingerprint(pin)
        .reconnect(NO_RECONNECT)
        .build();
  }

  static String fingerprintOf(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return Fingerprints.sha256(
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }

  private static String colons(String hex) {
    return String.join(":", hex.split("(?<=\\G..)"));
  }

  interface Body {
    void run() throws Exception;
  }

  private static void withProvider(String provider, Body body) throws Exception {
    String old = System.getProperty("tlstunnel.tls");
    System.setProperty("tlstunnel.tls", provider);
    try {
      body.run();
    } finally {
      if (old == null) {
        System.clearProperty("tlstunnel.tls");
      } else {
        System.setProperty("tlstunnel.tls", old);
      }
    }
  }
}
