package dev.tlstunnel.server;

import dev.tlstunnel.config.ServerConfig;
import java.net.InetSocketAddress;

/**
 * A tunnel server: listens for clients on its tunnel port and publishes their proxies. Several
 * servers may run in one JVM.
 */
public final class TunnelServer implements AutoCloseable {

  /**
   * Binds the tunnel port and starts serving.
   *
   * @throws TunnelStartException when the certificate, key or tunnel port cannot be used
   */
  public static TunnelServer start(ServerConfig config) throws TunnelStartException {
    throw new UnsupportedOperationException("not yet");
  }

  /** The address the tunnel port is bound to (the real port when configured as 0). */
  public InetSocketAddress address() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Closes every session, listener and timer, then the tunnel port. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("not yet");
  }
}
