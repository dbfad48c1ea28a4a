package dev.tlstunnel.testing;

import dev.tlstunnel.server.TunnelServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end tests that tunnel to an echo service: a fresh {@link TunnelFixture} and
 * {@link EchoService} per test, both closed afterwards, under the leak-report check.
 */
@ExtendWith(LeakDetectorExtension.class)
public abstract class EchoTunnelTest {
  @TempDir protected Path dir;
  protected TunnelFixture fixture;
  protected EchoService echo;

  @BeforeEach
  void startFixtureAndEcho() throws Exception {
    fixture = new TunnelFixture(dir);
    echo = new EchoService();
  }

  @AfterEach
  void closeFixtureAndEcho() throws Exception {
    fixture.close();
    echo.close();
  }

  /** A server, and a client {@code c1} publishing the echo service; returns its published port. */
  protected int startEchoTunnel() throws Exception {
    return startEchoClient(fixture.startServer());
  }

  /**
   * Starts a client {@code c1} on {@code server} that publishes the echo service as proxy {@code
   * echo} on a port the server picks; returns that port once it is bound.
   */
  protected int startEchoClient(TunnelServer server) throws Exception {
    fixture.startClient(
        fixture.clientConfig(
            server.address().getPort(),
            "c1",
            List.of(TunnelFixture.proxy("echo", 0, echo.port()))));
    return TunnelFixture.publishedPort(server, "echo");
  }
}
