package dev.tlstunnel.visitor;

import static dev.tlstunnel.testing.VisitorRig.localPort;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.testing.LeakDetectorExtension;
import dev.tlstunnel.testing.Sshd;
import dev.tlstunnel.testing.TunnelFixture;
import dev.tlstunnel.testing.VisitorRig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSH through a visitor: {@code ssh} on the visitor's side logs in to a real {@code sshd} next
 * to the publisher, which is published only as a private proxy.
 */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(120)
class OpenSshThroughVisitorTest {
  @TempDir Path dir;

  @Test
  void sshLogsInAndCarriesFourMebibytesBothWays() throws Exception {
    Path sshDir = Files.createDirectories(dir.resolve("ssh"));
    try (TunnelFixture fixture = new TunnelFixture(dir);
        Sshd sshd = Sshd.start(sshDir)) {
      VisitorRig rig = new VisitorRig(fixture);
      rig.startPublisher(List.of(VisitorRig.privateProxy("ssh", sshd.port(), VisitorRig.VISITOR)));
      TunnelClient laptop =
          rig.startVisitor(
              VisitorRig.VISITOR,
              List.of(VisitorConfig.of("office-ssh", "office/ssh", 0, VisitorRig.SECRET)));
      int port = localPort(laptop, "office-ssh");

      byte[] data = new byte[4 * 1024 * 1024];
      new Random(22).nextBytes(data);
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
      byte[] out =
          sshd.ssh(port, "echo logged-in-as-$(id -un); sha256sum; head -c 4194304 /dev/zero", data);

      String text = new String(out, 0, Math.min(out.length, 200), StandardCharsets.US_ASCII);
      assertThat(text)
          .startsWith("logged-in-as-" + System.getProperty("user.name") + "\n" + sha + "  -\n");
      assertThat(out.length - text.indexOf("  -\n") - 4).isEqualTo(4 * 1024 * 1024);
      assertThat(sshd.logText())
          .contains("Accepted publickey for " + System.getProperty("user.name"));
      assertThat(VisitorRig.visitor(laptop, "office-ssh").totalConnections()).isEqualTo(1);
    }
  }
}
