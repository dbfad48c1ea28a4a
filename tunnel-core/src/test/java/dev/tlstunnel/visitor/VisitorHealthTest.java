package dev.tlstunnel.visitor;

import static dev.tlstunnel.testing.VisitorRig.localPort;
import static dev.tlstunnel.testing.VisitorRig.visitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.HealthCheck;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.testing.VisitorRig;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A private proxy whose local service fails its health check refuses its visitors, with why. */
@Timeout(60)
class VisitorHealthTest extends EchoTunnelTest {
  @Test
  void aVisitorOfAnUnhealthyPrivateProxyIsRefusedWithTheReason() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    // an echo service answers an HTTP request with the request: not HTTP, every probe fails
    ProxyConfig sick =
        TunnelFixture.built(
            VisitorRig.privateProxy("echo", echo.port(), VisitorRig.VISITOR).toBuilder()
                .healthCheck(
                    HealthCheck.of(HealthCheck.Type.HTTP)
                        .withTiming(Duration.ofMillis(300), Duration.ofMillis(300))
                        .withThresholds(1, 1)));
    TunnelClient office =
        fixture.startClient(rig.client(VisitorRig.PUBLISHER, List.of(sick), List.of()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> office.proxy("echo").state().status() == ProxyStatus.LOCAL_UNHEALTHY);
    TunnelClient laptop = rig.startVisitor();
    int port = localPort(laptop, "echo");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              try (Socket s = Streams.connect(port, 10_000)) {
                s.getOutputStream().write("anyone?".getBytes(StandardCharsets.UTF_8));
                assertThat(Streams.closedByPeer(s)).isTrue();
              }
              assertThat(visitor(laptop, "echo").lastError())
                  .startsWith("the local service of office/echo fails its health check (")
                  .endsWith("(target_unavailable)");
            });
  }
}
