package dev.tlstunnel.server;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.transport.TlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * What a server does with its configuration before it binds the tunnel port: reading the
 * certificate and key, checking that they belong together, and building the TLS context. {@link
 * TunnelServer#start} runs it, and so can a config check, which then refuses what the server would.
 */
public final class ServerPreflight {
  private ServerPreflight() {}

  /**
   * The server's TLS context.
   *
   * @throws TunnelStartException naming the file and what to do, as {@code TunnelServer.start}
   *     would
   */
  static SslContext tls(ServerConfig config) throws TunnelStartException {
    try {
      return TlsContexts.forServer(config.certPath(), config.keyPath());
    } catch (IOException e) {
      throw new TunnelStartException(e.getMessage(), e);
    }
  }

  /**
   * Runs the checks {@link TunnelServer#start} makes before it binds, and releases what they built.
   *
   * @throws TunnelStartException what the server would refuse to start with
   */
  public static void check(ServerConfig config) throws TunnelStartException {
    ReferenceCountUtil.release(tls(config));
  }
}
