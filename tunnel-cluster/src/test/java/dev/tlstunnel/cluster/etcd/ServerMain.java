package dev.tlstunnel.cluster.etcd;

import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.server.TunnelServer;
import java.nio.file.Path;

/** A server in a process of its own, from a TOML file, for tests that kill or stop it. */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws Exception {
    TunnelServer server = TunnelServer.start(ConfigLoader.loadServer(Path.of(args[0])));
    server.stopped().join();
  }
}
