package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.testing.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The committed seed corpus of the fuzz targets: the files are what {@link FuzzSeeds} generates,
 * each seed gets as deep as it is meant to (authenticated, proxies registered, frames answered),
 * and each passes its fuzz target, replayed here as plain method calls in every build.
 */
@ExtendWith(LeakDetectorExtension.class)
@Timeout(30)
class FuzzSeedsTest {
  /** Only the seeds' names (sorted), and each file's bytes, as committed under the resources. */
  private static void assertCommitted(String dir, Map<String, byte[]> generated) throws Exception {
    URL url = FuzzSeedsTest.class.getResource("/" + dir);
    assertThat(url).as("%s (run FuzzSeeds.main to write it)", dir).isNotNull();
    List<String> committed;
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      committed =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("seed-"))
              .sorted()
              .toList();
    }
    assertThat(committed)
        .as("seed files in %s (run FuzzSeeds.main after changing it)", dir)
        .containsExactlyElementsOf(
            generated.keySet().stream().map(n -> "seed-" + n).sorted().toList());
    for (Map.Entry<String, byte[]> e : generated.entrySet()) {
      try (InputStream in =
          FuzzSeedsTest.class.getResourceAsStream("/" + dir + "/seed-" + e.getKey())) {
        assertThat(in.readAllBytes())
            .as("seed-%s (run FuzzSeeds.main)", e.getKey())
            .isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void committedSeedsAreTheGeneratedOnes() throws Exception {
    assertCommitted(FuzzSeeds.PIPELINE_DIR, FuzzSeeds.tunnelPipeline());
    assertCommitted(FuzzSeeds.CONTROL_DIR, FuzzSeeds.controlStream());
  }

  @Test
  void pipelineSeedsAuthenticateAndGetAsFarAsMeant() {
    for (Map.Entry<String, byte[]> seed : FuzzSeeds.tunnelPipeline().entrySet()) {
      ServerContext context = FuzzInputs.context();
      EmbeddedChannel tunnel = new EmbeddedChannel();
      tunnel.freezeTime();
      ServerTunnelInitializer.addAfterTls(context, tunnel);
      try {
        FuzzInputs.feed(tunnel, seed.getValue(), FuzzInputs.shape(seed.getValue()));
        tunnel.checkException();
        String name = seed.getKey();
        assertThat(tunnel.isOpen()).as(name).isTrue();
        assertThat(context.sessions).as(name).hasSize(1);
        assertThat(proxies(context)).as(name).isEqualTo(expectedProxies(name));
        if (name.equals("ping-window-update-go-away")) {
          assertThat(contains(written(tunnel), new byte[] {0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 42}))
              .as("ping 42 answered")
              .isTrue();
        }
      } finally {
        tunnel.close();
        tunnel.runPendingTasks();
        tunnel.finishAndReleaseAll();
      }
      new TunnelPipelineFuzzTest().tunnelPipeline(seed.getValue());
    }
  }

  @Test
  void controlStreamSeedsGetAsFarAsMeant() {
    for (Map.Entry<String, byte[]> seed : FuzzSeeds.controlStream().entrySet()) {
      byte[] input = seed.getValue();
      try (FuzzInputs.ControlRig rig = FuzzInputs.ControlRig.open()) {
        FuzzInputs.feed(rig.control(), input, FuzzInputs.shapeControl(input));
        rig.control().checkException();
        String name = seed.getKey();
        boolean refused = name.equals("wrong-key");
        assertThat(rig.context().sessions).as(name).hasSize(refused ? 0 : 1);
        assertThat(rig.tunnel().isOpen()).as(name).isEqualTo(!refused);
        assertThat(proxies(rig.context())).as(name).isEqualTo(expectedProxies(name));
        String out = new String(written(rig.control()), StandardCharsets.ISO_8859_1);
        assertThat(out).as(name).contains("\"type\":\"auth_result\",\"ok\":" + !refused);
        if (name.equals("heartbeat-unknown")) {
          assertThat(out).contains("\"type\":\"heartbeat\"").contains("\"reply\":true");
        }
      }
      new ControlStreamFuzzTest().controlStream(input);
    }
  }

  private static List<String> expectedProxies(String seed) {
    if (seed.equals("hello-register-heartbeat")) {
      return List.of("web");
    }
    if (seed.startsWith("register") || seed.contains("-register-")) {
      return List.of("ssh", "web");
    }
    return List.of();
  }

  private static List<String> proxies(ServerContext context) {
    return context.registry.entries().stream()
        .map(ProxyRegistry.Entry::proxyName)
        .sorted()
        .toList();
  }

  /** Everything written to {@code ch} so far, as bytes. */
  private static byte[] written(EmbeddedChannel ch) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Object out; (out = ch.readOutbound()) != null; ) {
      if (out instanceof ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        all.writeBytes(b);
      }
      ReferenceCountUtil.release(out);
    }
    return all.toByteArray();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}
