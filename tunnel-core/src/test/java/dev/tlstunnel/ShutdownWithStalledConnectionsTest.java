package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.publishedPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.NonReaders;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stopping the client and the server while every connection through them is stalled with data
 * queued on all its sockets releases every buffer (the leak check after the test fails otherwise):
 * each event loop closes all its channels as it shuts down.
 */
@Timeout(120)
class ShutdownWithStalledConnectionsTest extends EchoTunnelTest {
  @Test
  void stoppingWithStalledConnectionsReleasesEveryBuffer() throws Exception {
    TunnelServer server = fixture.startServer(fixture.serverConfig());
    TunnelClient client =
        fixture.startClient(
            fixture.clientConfig(
                server.address().getPort(), "c1", List.of(proxy("echo", 0, echo.port()))));
    try (NonReaders nonReaders = new NonReaders(publishedPort(server, "echo"), 8)) {
      long pushed = nonReaders.awaitStalled(Duration.ofSeconds(60));
      assertThat(pushed).isPositive();
      assertThat(server.snapshot().sessions().get(0).publicConnections()).isEqualTo(8);
      client.close();
      server.close();
    }
  }
}
