package dev.tlstunnel.client;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import dev.tlstunnel.visitor.Visitors;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel client: dials the server, authenticates, registers its proxies and serves the streams
 * the server opens; when the connection drops it reconnects with backoff and registers again.
 * Several clients may run in one JVM.
 */
public final class TunnelClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TunnelClient.class);

  private final ClientContext context;
  private final EventLoopGroup group;
  private final ReconnectLoop loop;
  private final AdminServer admin;

  private TunnelClient(
      ClientContext context, EventLoopGroup group, ReconnectLoop loop, AdminServer admin) {
    this.context = context;
    this.group = group;
    this.loop = loop;
    this.admin = admin;
    loop.exit().whenCompleteAsync((e, t) -> releaseResources());
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
    ClientContext context = ClientContext.of(config, transport, yamux);
    ReconnectLoop loop =
        new ReconnectLoop(
            context,
            group.next(),
            ssl,
            new ReconnectSchedule(
                config.reconnect(), () -> ThreadLocalRandom.current().nextDouble()),
            Clock.systemUTC());
    AdminServer admin = null;
    if (config.adminPort() != null) {
      try {
        admin =
            AdminServer.start(
                group,
                transport.serverChannelClass(),
                config.adminAddr(),
                config.adminPort(),
                () -> snapshot(context, loop));
      } catch (Exception e) {
        Transport.shutdown(group, 1);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new TunnelStartException(e.getMessage(), e);
      }
    }
    TunnelClient client = new TunnelClient(context, group, loop, admin);
    context.visitors().start(group.next());
    loop.start();
    return client;
  }

  private static ClientStatus snapshot(ClientContext context, ReconnectLoop loop) {
    ClientConfig config = context.config();
    ReconnectLoop.View view = loop.view();
    Visitors visitors = context.visitors();
    List<ProxyState> proxies =
        loop.tracker().snapshot().stream()
            .map(
                p ->
                    context.proxiesByName().get(p.name()).isPrivate()
                        ? p.withVisitors("private", visitors.connected().of(p.name()))
                        : p.withVisitors("public", null))
            .toList();
    return new ClientStatus(
        config.clientId(),
        config.serverAddr() + ":" + config.serverPort(),
        view.state(),
        view.lastError(),
        view.nextAttemptAt(),
        view.attempt(),
        proxies,
        visitors.snapshot());
  }

  /** The latest state of the session, every proxy and every visitor. */
  public ClientStatus status() {
    return snapshot(context, loop);
  }

  /** The admin API's port, or -1 when it is off. */
  public int adminPort() {
    return admin != null ? admin.port() : -1;
  }

  /** Completes when the client stops, with the reason. */
  public CompletableFuture<ClientExit> exit() {
    return loop.exit();
  }

  /** Streams the server opened that are still open, in the current session. */
  public int openStreams() {
    return loop.openDataStreams();
  }

  /**
   * Stops reconnecting, tells the server to open no new streams (go-away), lets open streams finish
   * for up to {@code grace}, then closes. The future completes when the client has ended; {@link
   * #close()} still stops at once.
   */
  public CompletableFuture<ClientExit> shutdownGracefully(Duration grace) {
    return loop.shutdownGracefully(grace.toMillis());
  }

  /** Closes the tunnel and releases every resource, at once. */
  @Override
  public void close() {
    loop.finish(ClientExit.Reason.CLOSED, "closed");
    group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private void releaseResources() {
    context.visitors().close();
    if (admin != null) {
      admin.close();
    }
    Transport.shutdown(group, 2);
  }
}
