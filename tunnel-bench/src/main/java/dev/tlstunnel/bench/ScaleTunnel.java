package dev.tlstunnel.bench;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.server.TunnelServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a tunnel server or client from a config file like the CLI does, but with a yamux stream
 * limit of its own on both sides ({@code limits.max_streams_per_session} on the server, the
 * builder's {@code maxStreams} on the client), for the scale run (bench/scale.sh).
 *
 * <pre>java -cp tunnel-bench/target/benchmarks.jar dev.tlstunnel.bench.ScaleTunnel
 *     server|client CONFIG MAX_STREAMS</pre>
 */
public final class ScaleTunnel {
  private ScaleTunnel() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ScaleTunnel server|client CONFIG MAX_STREAMS");
      System.exit(1);
    }
    int maxStreams = Integer.parseInt(args[2]);
    Path config = Path.of(args[1]);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    if (args[0].equals("server")) {
      ServerConfig loaded = ConfigLoader.loadServer(config);
      ServerConfig limited =
          loaded.toBuilder()
              .limits(loaded.limits().toBuilder().maxStreamsPerSession(maxStreams).build())
              .build();
      try (TunnelServer server = TunnelServer.start(limited)) {
        System.err.println("scale: server listening on " + server.address());
        stop.await();
      }
    } else {
      try (TunnelClient client =
          TunnelClient.builder(ConfigLoader.loadClient(config)).maxStreams(maxStreams).start()) {
        client
            .exit()
            .thenAccept(
                (ClientExit exit) -> {
                  System.err.println("scale: client ended: " + exit);
                  stop.countDown();
                });
        stop.await();
      }
    }
  }
}
