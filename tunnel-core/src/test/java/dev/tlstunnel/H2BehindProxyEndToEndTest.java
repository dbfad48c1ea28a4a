package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.config.TunnelTransport;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TlsTerminator;
import dev.tlstunnel.testing.TunnelFixture;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * h2 with {@code behind_proxy}: a proxy that terminates TLS (offering ALPN h2) and passes the bytes
 * on unchanged, as HAProxy in TCP mode does, in front of a server speaking cleartext HTTP/2.
 */
@Timeout(60)
class H2BehindProxyEndToEndTest extends EchoTunnelTest {

  @Test
  void h2BehindAProxyThatPassesBytesCarriesTheTunnel() throws Exception {
    TunnelServer server =
        fixture.startServer(
            (TunnelFixture.built(
                ServerConfig.builder()
                    .bind("127.0.0.1", 0)
                    .authKey(TunnelFixture.KEY)
                    .handshakeTimeout(java.time.Duration.ofSeconds(5))
                    .transport(
                        ServerTransportConfig.of(TunnelTransport.H2)
                            .behind(List.of("127.0.0.1/32"))))));
    try (TlsTerminator front = new TlsTerminator(serverTls(), server.address().getPort(), "h2")) {
      TunnelClient client =
          fixture.startClient(
              fixture
                  .clientConfig(front.port(), "c1", List.of(proxy("echo", 0, echo.port())))
                  .toBuilder()
                  .transport(ClientTransportConfig.of(TunnelTransport.H2))
                  .build());
      int port = publishedPort(server, "echo");
      assertThat(Streams.echoesUntilEnd(port, 9, 4L * 1024 * 1024)).isTrue();
      assertThat(server.snapshot().sessions().get(0).transport()).isEqualTo("h2");
      assertThat(client.status().transport()).isEqualTo("h2");
    }
  }

  /** A JDK server context with the test certificate, for the terminating proxy. */
  private SSLContext serverTls() throws Exception {
    Certificate cert;
    try (InputStream in = Files.newInputStream(fixture.pki().cert())) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String pem =
        Files.readString(fixture.pki().key())
            .replaceAll("-----[A-Z ]+-----", "")
            .replaceAll("\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("k", key, new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    return ssl;
  }
}
