package dev.tlstunnel.server;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.bind.BindDiagnostics;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel server: listens for clients on its tunnel port and publishes their proxies. Several
 * servers may run in one JVM.
 */
public final class TunnelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);

  /** The yamux bounds a peer can exceed, named after their keys in {@code [server.limits]}. */
  static final YamuxConfig.LimitNames LIMIT_NAMES =
      new YamuxConfig.LimitNames("max_receive_window", "max_streams_per_session");

  private final ServerContext context;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Channel serverChannel;
  private final AtomicBoolean closed = new AtomicBoolean();
  private CompletableFuture<Void> shutdown;

  private TunnelServer(
      ServerContext context, EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
    this.context = context;
    this.bossGroup = boss;
    this.workerGroup = workers;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds the tunnel port and starts serving.
   *
   * @throws TunnelStartException when the certificate, key or tunnel port cannot be used
   */
  public static TunnelServer start(ServerConfig config) throws TunnelStartException {
    Limits limits = config.limits() == null ? Limits.DEFAULT : config.limits();
    return start(
        config,
        new YamuxConfig(
            limits.maxReceiveWindow(),
            limits.maxFramePayload(),
            limits.maxStreamsPerSession(),
            limits.maxSessionWindow(),
            LIMIT_NAMES));
  }

  /**
   * Like {@link #start(ServerConfig)}, with explicit yamux tuning (which takes the place of the
   * yamux bounds in {@code [server.limits]}).
   */
  public static TunnelServer start(ServerConfig config, YamuxConfig yamux)
      throws TunnelStartException {
    SslContext ssl;
    try {
      ssl = TlsContexts.forServer(config.certPath(), config.keyPath());
    } catch (IOException e) {
      throw new TunnelStartException(e.getMessage(), e);
    }
    Transport transport = Transport.best();
    EventLoopGroup boss = transport.newGroup(1, "tunnel-server-accept");
    EventLoopGroup workers = transport.newGroup(0, "tunnel-server");
    ServerContext context =
        new ServerContext(config, transport, yamux, config.bindPort(), boss.next());
    ChannelFuture bind =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannelClass())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ServerTunnelInitializer(context, ssl))
            .bind(config.bindAddr(), config.bindPort())
            .awaitUninterruptibly();
    if (!bind.isSuccess()) {
      shutdown(boss, workers);
      String reason = BindDiagnostics.describe(config.bindAddr(), config.bindPort(), bind.cause());
      throw new TunnelStartException(
          "cannot listen on tunnel port "
              + BindDiagnostics.hostPort(config.bindAddr(), config.bindPort())
              + ": "
              + reason,
          bind.cause());
    }
    TunnelServer server = new TunnelServer(context, boss, workers, bind.channel());
    context.registry.tunnelPort(server.address().getPort());
    log.info(
        "Server listening on {} (TLS: {}, transport: {})",
        BindDiagnostics.hostPort(config.bindAddr(), server.address().getPort()),
        TlsContexts.providerName(),
        transport.name());
    return server;
  }

  /** The address the tunnel port is bound to (the real port when configured as 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** What the server holds right now. */
  public ServerSnapshot snapshot() {
    List<ServerSnapshot.SessionInfo> sessions = new ArrayList<>();
    List<ServerSnapshot.ProxyInfo> proxies = new ArrayList<>();
    for (ServerSession s : context.sessions) {
      YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(s.tunnel());
      sessions.add(
          new ServerSnapshot.SessionInfo(
              s.clientId(),
              String.valueOf(s.tunnel().remoteAddress()),
              s.openStreams(),
              s.publicConnections(),
              mux == null ? 0 : mux.receiveBuffered(),
              mux == null ? 0 : mux.receiveWindowGrowth()));
      proxies.addAll(s.proxyInfos());
      proxies.addAll(context.visits.privateProxies().infos(s));
    }
    for (ProxyRegistry.Entry e : context.registry.entries()) {
      if (!context.sessions.contains(e.owner())) {
        proxies.add(
            new ServerSnapshot.ProxyInfo(
                e.proxyName(),
                e.owner().clientId(),
                e.publishAddr(),
                e.publishPort(),
                "orphaned",
                0,
                false));
      }
    }
    return new ServerSnapshot(
        sessions,
        proxies,
        context.tunnels.size(),
        context.keepAliveTimers.get(),
        context.admission.unauthenticated(),
        context.admission.rejected(),
        context.logs.suppressed());
  }

  /**
   * Shuts down gracefully: stops accepting clients and public connections (new connections to
   * published ports are refused), sends go-away on every tunnel, lets open connections finish for
   * up to {@code grace}, then closes everything as {@link #close()} does. Idempotent; the future
   * completes once the server is closed ({@code join()} it for a blocking stop).
   */
  public synchronized CompletableFuture<Void> shutdownGracefully(Duration grace) {
    if (shutdown != null) {
      return shutdown;
    }
    log.info(
        "Server on port {} shutting down: open connections may finish within {} ms",
        address().getPort(),
        grace.toMillis());
    EventLoop timers = bossGroup.next();
    CompletableFuture<Boolean> drained = new CompletableFuture<>();
    serverChannel.close();
    CompletableFuture<?>[] sessions =
        context.sessions.stream().map(ServerSession::drain).toArray(CompletableFuture[]::new);
    ScheduledFuture<?> deadline =
        timers.schedule(() -> drained.complete(false), grace.toNanos(), TimeUnit.NANOSECONDS);
    CompletableFuture.allOf(sessions)
        .thenRun(
            () -> {
              deadline.cancel(false);
              drained.complete(true);
            });
    shutdown =
        drained.thenAcceptAsync(
            finished -> {
              if (!finished) {
                log.warn(
                    "Grace period of {} ms over; closing {} open connections",
                    grace.toMillis(),
                    openConnections());
              }
              close();
            });
    return shutdown;
  }

  private int openConnections() {
    return context.sessions.stream().mapToInt(ServerSession::publicConnections).sum();
  }

  /** Closes every session, listener and timer, then the tunnel port, at once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    serverChannel.close().awaitUninterruptibly();
    for (ServerSession s : context.sessions) {
      s.close();
    }
    shutdown(bossGroup, workerGroup);
    log.info("Server on port {} stopped", address().getPort());
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    Transport.shutdown(boss, 2);
    Transport.shutdown(workers, 2).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
