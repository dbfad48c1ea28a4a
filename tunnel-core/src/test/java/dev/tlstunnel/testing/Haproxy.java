package dev.tlstunnel.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real HAProxy in TCP mode, as the load balancer in front of a server: it listens on {@code
 * 127.0.0.1:port}, connects to the target from {@code source} and sends the PROXY protocol header
 * ({@code send-proxy} for version 1, {@code send-proxy-v2} for version 2) naming the client it
 * accepted.
 */
public final class Haproxy {
  private Haproxy() {}

  /**
   * Starts HAProxy in the foreground, forwarding each key of {@code ports} (a port it listens on)
   * to its value (a port of the server); {@code version} is 1 or 2.
   */
  public static RealProcess start(Path dir, String source, int version, Map<Integer, Integer> ports)
      throws IOException {
    Files.createDirectories(dir);
    StringBuilder conf =
        new StringBuilder(
            """
            global
              maxconn 512
            defaults
              mode tcp
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            """);
    String send = version == 1 ? "send-proxy" : "send-proxy-v2";
    for (Map.Entry<Integer, Integer> e : ports.entrySet()) {
      conf.append(
          """
          listen lb%1$d
            bind 127.0.0.1:%1$d
            server s%2$d 127.0.0.1:%2$d %3$s source %4$s
          """
              .formatted(e.getKey(), e.getValue(), send, source));
    }
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, conf.toString());
    return RealProcess.start(
        "haproxy",
        List.of("/usr/sbin/haproxy", "-db", "-f", file.toString()),
        dir.resolve("haproxy.out"),
        ports.keySet().iterator().next());
  }
}
