package dev.tlstunnel.visitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.VisitorRig;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two clients and a server in one JVM: a visitor reaches the other client's private proxy. */
@Timeout(90)
class VisitorEndToEndTest extends EchoTunnelTest {

  @Test
  void echoesBytesExactly() throws Exception {
    VisitorRig rig = new VisitorRig(fixture);
    rig.startPublisher(echo.port());
    TunnelClient laptop = rig.startVisitor();
    int port = VisitorRig.localPort(laptop, "echo");
    byte[] sent = new byte[100_000];
    new Random(1).nextBytes(sent);
    try (Socket s = Streams.connect(port, 10_000)) {
      s.getOutputStream().write(sent);
      assertThat(Streams.readExactly(s.getInputStream(), sent.length)).isEqualTo(sent);
    }
  }
}
