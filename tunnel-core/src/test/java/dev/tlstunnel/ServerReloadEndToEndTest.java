package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.fast;
import static dev.tlstunnel.testing.TunnelFixture.freePort;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.SessionState;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.Fingerprints;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.ReloadConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TestPki;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running server's configuration changed by a reload: the auth key rotated with a window for the
 * previous one, the certificate and key replaced for new handshakes while pinned sessions stay, and
 * a file that cannot be used leaves everything as it was.
 */
@Timeout(60)
class ServerReloadEndToEndTest extends EchoTunnelTest {
  private static final String NEW_KEY = "rotated-auth-key-0123456789";

  @Test
  void theRotatedKeyWorksAndThePreviousOneOnlyWithinKeyRotationWindow() throws Exception {
    ServerConfig first = fixture.serverConfig();
    TunnelServer server = fixture.startServer(first);
    int webPort = freePort();
    TunnelClient old = client(server, "old", TunnelFixture.KEY, webPort);
    old.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);

    ReloadResult rotated = server.reload(TunnelFixture.built(first.toBuilder().authKey(NEW_KEY)));

    assertThat(rotated.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(ReloadResultText.lines(rotated))
        .containsExactly(
            "server.auth_key: update, changed (the previous key is still accepted for"
                + " key_rotation_window (1h); open sessions stay) [applied]");
    TunnelClient withNew = client(server, "new", NEW_KEY, 0);
    withNew.connected().get(10, TimeUnit.SECONDS);
    TunnelClient stillOld = client(server, "late", TunnelFixture.KEY, 0);
    stillOld.connected().get(10, TimeUnit.SECONDS);
    assertThat(Streams.echoes(webPort)).as("the open session stays").isTrue();

    ServerConfig closed =
        TunnelFixture.built(
            server.config().toBuilder()
                .authKey("third-auth-key-0123456789")
                .reload(ReloadConfig.DEFAULT.withKeyRotationWindow(Duration.ZERO)));
    assertThat(server.reload(closed).outcome()).isEqualTo(Outcome.APPLIED);
    EventRecorder refused = new EventRecorder();
    TunnelClient tooLate =
        fixture.closeLater(
            TunnelClient.builder(clientConfig(server, "too-late", NEW_KEY, 0))
                .listener(refused)
                .start());
    ClientEvent.ConnectFailed failed =
        refused.awaitFirst(ClientEvent.ConnectFailed.class, e -> true);
    assertThat(failed.failure().kind()).isEqualTo(FailureKind.AUTH_REFUSED);
    assertThat(tooLate.status().sessionState()).isNotEqualTo(SessionState.CONNECTED);
    assertThat(old.status().sessionState()).isEqualTo(SessionState.CONNECTED);
  }

  @Test
  void aRotatedCertificateServesNewHandshakesWhilePinnedSessionsStay() throws Exception {
    Path files = Files.createDirectories(dir.resolve("live"));
    Path cert = files.resolve("cert.pem");
    Path key = files.resolve("key.pem");
    Files.copy(fixture.pki().cert(), cert);
    Files.copy(fixture.pki().key(), key);
    ServerConfig config = TunnelFixture.built(fixture.serverBuilder().certificate(cert, key));
    TunnelServer server = fixture.startServer(config);
    int webPort = freePort();
    String oldPin = fingerprint(cert);
    TunnelClient pinnedOld = pinned(server, "pinned-old", oldPin, webPort);
    pinnedOld.proxy("web").whenHealthy().get(10, TimeUnit.SECONDS);

    TestPki.CertFiles next =
        TestPki.selfSigned(Files.createDirectories(dir.resolve("next")), "localhost");
    Files.copy(next.cert(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(next.key(), key, StandardCopyOption.REPLACE_EXISTING);
    String newPin = fingerprint(cert);
    ReloadResult result = server.reload(config);

    assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(ReloadResultText.lines(result))
        .containsExactly(
            "server.cert_path: update, certificate files changed, fingerprint "
                + oldPin
                + " -> "
                + newPin
                + " (new handshakes use it; open sessions keep theirs) [applied]");
    TunnelClient pinnedNew = pinned(server, "pinned-new", newPin, 0);
    pinnedNew.connected().get(10, TimeUnit.SECONDS);
    EventRecorder untrusted = new EventRecorder();
    fixture.closeLater(
        TunnelClient.builder(pinnedConfig(server, "pinned-to-old", oldPin, 0))
            .listener(untrusted)
            .start());
    assertThat(untrusted.awaitFirst(ClientEvent.ConnectFailed.class, e -> true).failure().kind())
        .isEqualTo(FailureKind.UNTRUSTED_SERVER);
    assertThat(pinnedOld.status().sessionState()).isEqualTo(SessionState.CONNECTED);
    assertThat(Streams.echoes(webPort)).as("the pinned old session still serves").isTrue();
  }

  @Test
  void aCertificateThatCannotBeLoadedRefusesTheReloadAndChangesNothing() throws Exception {
    ServerConfig first = fixture.serverConfig();
    TunnelServer server = fixture.startServer(first);
    Path broken = Files.writeString(dir.resolve("broken.pem"), "not a certificate\n");
    ServerConfig next =
        TunnelFixture.built(
            first.toBuilder().certificate(broken, fixture.pki().key()).authKey(NEW_KEY));

    ReloadResult result = server.reload(next);

    assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(result.message()).contains(broken.toString());
    assertThat(server.config()).isEqualTo(first);
    client(server, "still-old-key", TunnelFixture.KEY, 0).connected().get(10, TimeUnit.SECONDS);
  }

  private ClientConfig clientConfig(TunnelServer server, String id, String key, int webPort) {
    return quick(
        TunnelFixture.built(
            fixture
                .clientBuilder(
                    server.address().getPort(),
                    id,
                    List.of(proxy(id + "-web", webPort, echo.port())))
                .authKey(key)));
  }

  private TunnelClient client(TunnelServer server, String id, String key, int webPort)
      throws Exception {
    ClientConfig c = clientConfig(server, id, key, webPort);
    if (webPort != 0) {
      c = TunnelFixture.built(c.toBuilder().proxies(List.of(proxy("web", webPort, echo.port()))));
    }
    return fixture.startClient(c);
  }

  private ClientConfig pinnedConfig(TunnelServer server, String id, String pin, int webPort) {
    String name = webPort == 0 ? id + "-web" : "web";
    return quick(
        TunnelFixture.built(
            fixture
                .clientBuilder(
                    server.address().getPort(), id, List.of(proxy(name, webPort, echo.port())))
                .caCertPath(null)
                .serverFingerprint(pin)));
  }

  private TunnelClient pinned(TunnelServer server, String id, String pin, int webPort)
      throws Exception {
    return fixture.startClient(pinnedConfig(server, id, pin, webPort));
  }

  /** Quick reconnects, the default keepalive (a loaded machine must not drop watched sessions). */
  private static ClientConfig quick(ClientConfig c) {
    return TunnelFixture.built(fast(c).toBuilder().keepAlive(KeepAlive.DEFAULT));
  }

  private static String fingerprint(Path cert) throws Exception {
    try (InputStream in = Files.newInputStream(cert)) {
      return Fingerprints.sha256(
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }

  /** The effective changes of a result, as the log shows them. */
  static final class ReloadResultText {
    static List<String> lines(ReloadResult result) {
      return result.effective().stream()
          .map(
              c ->
                  (c.kind() == ReloadResult.Kind.SETTING ? c.name() : c.kind() + " " + c.name())
                      + ": "
                      + c.action().wireName()
                      + (c.detail() == null ? "" : ", " + c.detail())
                      + " ["
                      + c.step().wireName()
                      + "]")
          .toList();
    }
  }
}
