package dev.tlstunnel.client;

import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.forward.RouteTest;
import java.io.IOException;
import java.util.List;

/**
 * Which route a forwarder gives a target, without starting anything: what {@code tls-tunnel route
 * test} prints. Names resolve on this host, as the forwarder would resolve them.
 */
public final class RouteCheck {
  private RouteCheck() {}

  /**
   * The lines for {@code host:port} through {@code forwarder}: the route ({@code direct}, {@code
   * tunnel}, {@code block}) and the rule that chose it, the addresses the name has here (with
   * countries when a GeoIP database is set) and, for the direct route, the direct policy's verdict.
   *
   * @throws IOException when the forwarder's GeoIP database cannot be opened
   */
  public static List<String> describe(ForwarderConfig forwarder, String host, int port)
      throws IOException {
    return RouteTest.describe(forwarder, host, port);
  }
}
