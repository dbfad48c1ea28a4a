package dev.tlstunnel.client;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel client: dials the server, authenticates, registers its proxies and serves the streams
 * the server opens. Several clients may run in one JVM.
 */
public final class TunnelClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TunnelClient.class);

  private final ClientConfig config;
  private final EventLoopGroup group;
  private final ClientSession session;
  private final AdminServer admin;

  private TunnelClient(
      ClientConfig config, EventLoopGroup group, ClientSession session, AdminServer admin) {
    this.config = config;
    this.group = group;
    this.session = session;
    this.admin = admin;
    session.exit().whenCompleteAsync((e, t) -> releaseResources());
  }

  /**
   * Starts connecting; progress shows in {@link #status()} and the end in {@link #exit()}.
   *
   * @throws TunnelStartException when the TLS settings or the admin API address cannot be used
   */
  public static TunnelClient start(ClientConfig config) throws TunnelStartException {
    return start(config, YamuxConfig.defaults());
  }

  /** Like {@link #start(ClientConfig)}, with explicit yamux tuning. */
  public static TunnelClient start(ClientConfig config, YamuxConfig yamux)
      throws TunnelStartException {
    SslContext ssl;
    try {
      ssl =
          TlsContexts.forClient(
              config.caCertPath(), config.skipVerify(), config.serverFingerprint());
    } catch (IOException e) {
      throw new TunnelStartException(e.getMessage(), e);
    }
    Transport transport = Transport.best();
    EventLoopGroup group = transport.newGroup(1, "tunnel-client");
    ClientSession session =
        new ClientSession(ClientContext.of(config, transport, yamux), group, ssl);
    AdminServer admin = null;
    if (config.adminPort() != null) {
      try {
        admin =
            AdminServer.start(
                group,
                transport.serverChannelClass(),
                config.adminAddr(),
                config.adminPort(),
                () -> snapshot(config, session));
      } catch (Exception e) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new TunnelStartException(e.getMessage(), e);
      }
      log.info("Admin API on http://{}:{}/api/status", config.adminAddr(), admin.port());
    }
    TunnelClient client = new TunnelClient(config, group, session, admin);
    session.connect();
    return client;
  }

  private static ClientStatus snapshot(ClientConfig config, ClientSession session) {
    return new ClientStatus(
        config.clientId(),
        session.server(),
        session.state(),
        session.lastError(),
        session.tracker().snapshot());
  }

  /** The latest state of the session and every proxy. */
  public ClientStatus status() {
    return snapshot(config, session);
  }

  /** The admin API's port, or -1 when it is off. */
  public int adminPort() {
    return admin != null ? admin.port() : -1;
  }

  /** Completes when the client stops, with the reason. */
  public CompletableFuture<ClientExit> exit() {
    return session.exit();
  }

  /** Closes the tunnel and releases every resource. */
  @Override
  public void close() {
    session.finish(ClientExit.Reason.CLOSED, "closed");
    group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private void releaseResources() {
    if (admin != null) {
      admin.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }
}
