package dev.tlstunnel.bench;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.server.TunnelServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a tunnel server or client from a config file like the CLI does, but with a yamux stream
 * limit of its own, for the scale run (bench/scale.sh): the shipped default allows 4,096 streams
 * per session.
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
    YamuxConfig defaults = YamuxConfig.defaults();
    YamuxConfig yamux =
        new YamuxConfig(
            defaults.maxReceiveWindow(), defaults.maxFramePayload(), Integer.parseInt(args[2]));
    Path config = Path.of(args[1]);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    if (args[0].equals("server")) {
      try (TunnelServer server = TunnelServer.start(ConfigLoader.loadServer(config), yamux)) {
        System.err.println("scale: server listening on " + server.address());
        stop.await();
      }
    } else {
      try (TunnelClient client = TunnelClient.start(ConfigLoader.loadClient(config), yamux)) {
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
