package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;

import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.RawYamux;
import dev.tlstunnel.testing.Streams;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the end-to-end tests of lowered limits share: real clients in front of the echo service,
 * public connections and hand-built yamux clients over TLS, all closed after each test.
 */
abstract class LimitsEndToEndBase extends EchoTunnelTest {
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeConnections() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  /** Starts a real client with one proxy to the echo service; returns the published port. */
  int echoClient(TunnelServer server, String clientId, String proxyName) throws Exception {
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(), clientId, List.of(proxy(proxyName, 0, echo.port()))));
    return publishedPort(server, proxyName);
  }

  /** A public connection to {@code port}, closed after the test. */
  Socket connect(int port) throws Exception {
    Socket s = Streams.connect(port, 10_000);
    opened.add(s);
    return s;
  }

  /** A hand-built yamux connection over TLS to the server, closed after the test. */
  RawYamux raw(TunnelServer server) throws Exception {
    RawYamux raw =
        RawYamux.connect(
            RawYamux.trusting(fixture.pki().cert()), "127.0.0.1", server.address().getPort());
    opened.add(raw);
    return raw;
  }
}
