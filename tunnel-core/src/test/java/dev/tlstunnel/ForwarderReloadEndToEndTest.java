package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tlstunnel.ReloadResult.Change;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.testing.Curl;
import dev.tlstunnel.testing.ForwardRig;
import dev.tlstunnel.testing.Streams;
import dev.tlstunnel.testing.TunnelFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Forwarders added, updated in place and removed by a client's reload, checked with curl. */
@Timeout(60)
class ForwarderReloadEndToEndTest {
  @TempDir Path dir;

  @Test
  void credentialsChangeInPlaceANewForwarderListensARemovedOneStops() throws Exception {
    try (ForwardRig rig =
        new ForwardRig(dir, List.of(ForwardRig.split("http", ForwarderType.HTTP)))) {
      String http = "http://" + rig.proxy("http");
      String direct = "http://direct.fwd.test:" + rig.direct.httpPort() + "/";
      assertThat(Curl.run("--proxy", http, direct).out()).isEqualTo("direct");
      ClientConfig before = rig.client.config();
      ClientConfig with =
          TunnelFixture.built(
              before.toBuilder()
                  .forwarders(
                      List.of(
                          ForwardRig.split("http", ForwarderType.HTTP)
                              .withCredentials("alice", "s3cret-pass"),
                          ForwardRig.split("socks", ForwarderType.SOCKS5))));

      ReloadResult added = rig.client.reload(with).get(20, TimeUnit.SECONDS);

      assertThat(added.outcome()).isEqualTo(Outcome.APPLIED);
      assertThat(added.effective())
          .extracting(c -> c.kind().wireName() + " " + c.name() + " " + c.action().wireName())
          .containsExactly("forwarder http update", "forwarder socks add");
      assertThat(added.effective())
          .extracting(Change::detail)
          .first()
          .asString()
          .contains("username none -> alice", "password changed")
          .doesNotContain("s3cret");
      assertThat(Curl.run("-w", "%{http_code}", "--proxy", http, direct).out()).endsWith("407");
      assertThat(Curl.run("--proxy", http, "--proxy-user", "alice:s3cret-pass", direct).out())
          .isEqualTo("direct");
      String socks = rig.proxy("socks");
      assertThat(Curl.run("--socks5-hostname", socks, direct).out()).isEqualTo("direct");

      ReloadResult removed = rig.client.reload(before).get(20, TimeUnit.SECONDS);

      assertThat(removed.outcome()).isEqualTo(Outcome.APPLIED);
      int socksPort = Integer.parseInt(socks.substring(socks.lastIndexOf(':') + 1));
      await().atMost(Duration.ofSeconds(5)).until(() -> Streams.refuses(socksPort));
      assertThat(Curl.run("--proxy", http, direct).out()).isEqualTo("direct");
      assertThat(rig.client.status().forwarders())
          .extracting(ForwarderState::name)
          .containsExactly("http");
    }
  }
}
