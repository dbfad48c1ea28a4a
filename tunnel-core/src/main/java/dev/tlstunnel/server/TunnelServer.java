package dev.tlstunnel.server;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.IoTransport;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.common.BindErrors;
import dev.tlstunnel.common.TickerClock;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.config.ServerTransportConfig;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.reload.FileReloads;
import dev.tlstunnel.transport.PeerAddress;
import dev.tlstunnel.transport.ServerTransport;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import dev.tlstunnel.transport.ViolationLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel server: listens for clients on its tunnel port and publishes their proxies. Several
 * servers may run in one JVM, on their own event loops or on one shared group.
 *
 * <pre>{@code
 * TunnelServer server = TunnelServer.builder(config).listener(myListener).start();
 * }</pre>
 *
 * <p>{@link Builder#start()} binds the tunnel port before it returns (or throws {@link
 * TunnelStartException}); from then on clients are served in the background and every change is
 * reported to the listeners. {@link #close()} stops at once, {@link #shutdownGracefully} lets open
 * connections finish first.
 */
public final class TunnelServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);

  /**
   * Hears what the server does. Every method has a no-op default that passes the event to {@link
   * #onEvent}, so a listener may override the events it cares about, or just {@code onEvent} to see
   * them all. Methods are called on the event loop of the session the event belongs to ({@code
   * started} and {@code stopped} on the thread that starts or stops the server), in the order the
   * events happened; they must not block. A listener that throws is logged once and the server goes
   * on.
   */
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /** A listener that passes every event to {@code onEvent}. */
    static Listener of(Consumer<? super ServerEvent> onEvent) {
      Objects.requireNonNull(onEvent, "onEvent");
      return new Listener() {
        @Override
        public void onEvent(ServerEvent event) {
          onEvent.accept(event);
        }
      };
    }

    /** Every event not handled by an overridden method below. */
    default void onEvent(ServerEvent event) {}

    default void started(ServerEvent.Started event) {
      onEvent(event);
    }

    default void clientConnected(ServerEvent.ClientConnected event) {
      onEvent(event);
    }

    default void clientDisconnected(ServerEvent.ClientDisconnected event) {
      onEvent(event);
    }

    default void proxyRejected(ServerEvent.ProxyRejected event) {
      onEvent(event);
    }

    default void proxyBound(ServerEvent.ProxyBound event) {
      onEvent(event);
    }

    default void bindRetryScheduled(ServerEvent.BindRetryScheduled event) {
      onEvent(event);
    }

    default void bindFailed(ServerEvent.BindFailed event) {
      onEvent(event);
    }

    default void proxyHealthChanged(ServerEvent.ProxyHealthChanged event) {
      onEvent(event);
    }

    default void publicConnectionOpened(ServerEvent.PublicConnectionOpened event) {
      onEvent(event);
    }

    default void publicConnectionClosed(ServerEvent.PublicConnectionClosed event) {
      onEvent(event);
    }

    default void publicConnectionRefused(ServerEvent.PublicConnectionRefused event) {
      onEvent(event);
    }

    default void reloaded(ServerEvent.Reloaded event) {
      onEvent(event);
    }

    default void stopped(ServerEvent.Stopped event) {
      onEvent(event);
    }
  }

  private final ServerContext context;
  private ServerMonitoring monitoring;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final boolean ownGroups;
  private final Channel serverChannel;
  private final CompletableFuture<InetSocketAddress> started;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ServerReload reload;
  private final FileReloads files;
  private CompletableFuture<Void> shutdown;

  private TunnelServer(
      ServerContext context,
      EventLoopGroup boss,
      EventLoopGroup workers,
      boolean ownGroups,
      Channel serverChannel,
      ServerReload reload,
      Path configFile) {
    this.context = context;
    this.bossGroup = boss;
    this.workerGroup = workers;
    this.ownGroups = ownGroups;
    this.serverChannel = serverChannel;
    this.started = CompletableFuture.completedFuture(address());
    this.reload = reload;
    this.files =
        configFile == null
            ? null
            : new FileReloads(
                configFile, dryRun -> CompletableFuture.completedFuture(reloadConfigFile(dryRun)));
  }

  /** A builder for a server with {@code config} (validated already, by its builder or loader). */
  public static Builder builder(ServerConfig config) {
    return new Builder(config);
  }

  /** Starts a server with {@code config} and no listener: {@code builder(config).start()}. */
  public static TunnelServer start(ServerConfig config) throws TunnelStartException {
    return builder(config).start();
  }

  /** The address the tunnel port is bound to (the real port when configured as 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /**
   * Complete once the tunnel port is bound, with its address: always so by the time {@link
   * Builder#start()} returned, for code that composes futures.
   */
  public CompletableFuture<InetSocketAddress> started() {
    return started;
  }

  /** Completes when the server has stopped (by {@link #close()} or a graceful shutdown). */
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  /** The admin listener's port ({@code admin_port}; the real one when 0), or -1 when it is off. */
  public int adminPort() {
    return monitoring == null ? -1 : monitoring.adminPort();
  }

  /** The configuration in force: the one it started with, or the last one a reload applied. */
  public ServerConfig config() {
    return context.config;
  }

  /**
   * What {@code next} would change, without changing anything (a dry run): outcome {@code PLANNED},
   * {@code UNCHANGED}, or {@code REFUSED} when a change cannot be made while running.
   */
  public ReloadResult plan(ServerConfig next) {
    return reload.plan(Objects.requireNonNull(next, "next"));
  }

  /**
   * Applies {@code next} while running, all of it or nothing: a new auth key (the previous one is
   * still accepted for {@code key_rotation_window}), certificate and key (for new handshakes),
   * limits, admission, egress, bind retry and transport settings (for new connections). Open
   * sessions and their connections are not touched. The tunnel port's address cannot change: a new
   * {@code bind_addr} or {@code bind_port} refuses the reload. Logged, and reported as a {@link
   * ServerEvent.Reloaded}; reloads run one at a time.
   */
  public ReloadResult reload(ServerConfig next) {
    return reload(Objects.requireNonNull(next, "next"), "the configuration");
  }

  /**
   * Reads the file given to {@link Builder#configFile} again and applies it as {@link
   * #reload(ServerConfig)} does, or with {@code dryRun} only plans it. An invalid file is refused
   * with every problem, each naming its key; a server without a file refuses.
   */
  public ReloadResult reloadConfigFile(boolean dryRun) {
    if (files == null) {
      return new ReloadResult(
          ReloadResult.Outcome.REFUSED,
          List.of(),
          "the server was started without a configuration file: there is none to reload");
    }
    FileReloads.Loaded<ServerConfig> loaded = files.load(ConfigLoader::loadServer);
    String what = String.valueOf(files.file().getFileName());
    if (loaded.refused() != null) {
      if (!dryRun) {
        reload.report(loaded.refused(), what);
      }
      return loaded.refused();
    }
    return dryRun ? plan(loaded.config()) : reload(loaded.config(), what);
  }

  private ReloadResult reload(ServerConfig next, String what) {
    if (closed.get()) {
      return new ReloadResult(ReloadResult.Outcome.REFUSED, List.of(), "the server is stopped");
    }
    ReloadResult result = reload.reload(next, what);
    if (result.outcome() == ReloadResult.Outcome.APPLIED && files != null) {
      files.watch(next.reload());
    }
    return result;
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
              String.valueOf(PeerAddress.of(s.tunnel())),
              s.openStreams(),
              s.publicConnections(),
              mux == null ? 0 : mux.receiveBuffered(),
              mux == null ? 0 : mux.receiveWindowGrowth(),
              PeerAddress.transport(s.tunnel()).configName()));
      proxies.addAll(s.proxyInfos());
      proxies.addAll(context.visits.privateProxies().infos(s));
    }
    int orphaned = 0;
    for (ProxyRegistry.Entry e : context.registry.entries()) {
      if (!context.sessions.contains(e.owner())) {
        orphaned++;
      }
    }
    return new ServerSnapshot(
        sessions,
        proxies,
        context.tunnels.size(),
        context.keepAliveTimers.get(),
        context.admission.unauthenticated(),
        context.admission.rejected(),
        context.logs.suppressed(),
        orphaned,
        context.groups.infos());
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

  /**
   * Closes every session, listener and timer, then the tunnel port, at once; shuts down the event
   * loops unless they were given to the builder. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    serverChannel.close().awaitUninterruptibly();
    if (context.cluster != null) {
      context.cluster.close();
    }
    if (files != null) {
      files.close();
    }
    CompletableFuture<?>[] sessions =
        context.sessions.stream().map(ServerSession::close).toArray(CompletableFuture[]::new);
    if (ownGroups) {
      shutdown(bossGroup, workerGroup);
    } else {
      CompletableFuture.allOf(sessions).orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null);
      context.tunnels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    context.egress.close();
    if (monitoring != null) {
      monitoring.close();
    }
    log.info("Server on port {} stopped", address().getPort());
    context.events.stopped();
    stopped.complete(null);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
    Transport.shutdown(boss, 2);
    Transport.shutdown(workers, 2).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * Configures and starts a {@link TunnelServer}. Everything but the configuration is optional: by
   * default the server makes its own event loops ({@link IoTransport#fromSystemProperty()}) and its
   * TLS context from the configured certificate and key ({@link TlsProvider#fromSystemProperty()}).
   */
  public static final class Builder {
    private final ServerConfig config;
    private final List<Listener> listeners = new ArrayList<>();
    private EventLoopGroup group;
    private SslContext sslContext;
    private IoTransport ioTransport = IoTransport.fromSystemProperty();
    private TlsProvider tlsProvider = TlsProvider.fromSystemProperty();
    private Path configFile;
    private Path controlSocket;

    private Builder(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The file the configuration was loaded from: {@link #reloadConfigFile} reads it again, and
     * with {@code watch = true} the server reloads it whenever its content changes.
     */
    public Builder configFile(Path file) {
      this.configFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Also answers reload requests ({@code POST /api/reload}, as {@code tls-tunnel reload} sends
     * them) on a Unix domain socket at {@code socket}, readable by the owner only; needs {@link
     * #configFile}. A socket another process listens on is left alone (logged).
     */
    public Builder controlSocket(Path socket) {
      this.controlSocket = Objects.requireNonNull(socket, "socket");
      return this;
    }

    /** Adds a listener; listeners are called in the order they were added. */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Runs the server on {@code group}'s event loops instead of its own (accepting and sessions
     * alike); {@link #close()} leaves the group running. Timers and event times follow the loops'
     * {@link io.netty.util.concurrent.Ticker}, so loops with a mock ticker give fake time. The
     * group's transport (NIO or epoll) is used, whatever {@link #ioTransport} says.
     */
    public Builder eventLoopGroup(EventLoopGroup eventLoops) {
      this.group = Objects.requireNonNull(eventLoops, "eventLoops");
      return this;
    }

    /**
     * Uses {@code context} for TLS instead of one made from the configured certificate and key
     * (which may then be left out of the configuration).
     */
    public Builder sslContext(SslContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /** The socket I/O of the server's own event loops (ignored with {@link #eventLoopGroup}). */
    public Builder ioTransport(IoTransport transport) {
      this.ioTransport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The TLS implementation of the context made from the configured files. */
    public Builder tlsProvider(TlsProvider provider) {
      this.tlsProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * Runs what {@link #start()} checks before it binds the tunnel port, without starting anything:
     * the certificate and key are read, checked to belong together and loaded into a TLS context
     * (unless one was given). A configuration check uses it to refuse what the server would.
     *
     * @throws TunnelStartException of kind {@code TLS_SETUP}, as {@link #start()} would
     */
    public void check() throws TunnelStartException {
      if (sslContext == null && !config.transport().behindProxy()) {
        ReferenceCountUtil.release(contextFromFiles());
      }
    }

    /**
     * Binds the tunnel port and starts serving.
     *
     * @throws TunnelStartException when the certificate, key or tunnel port cannot be used, with
     *     its {@link FailureKind}: {@code TLS_SETUP}, {@code PORT_IN_USE}, {@code
     *     PERMISSION_DENIED} or {@code BIND_FAILED}; nothing is left running
     */
    public TunnelServer start() throws TunnelStartException {
      ServerTransportConfig settings = config.transport();
      SslContext ssl =
          settings.behindProxy() ? null : sslContext != null ? sslContext : contextFromFiles();
      boolean own = group == null;
      List<EventLoopGroup> loops =
          own
              ? Transport.of(ioTransport)
                  .newGroups(
                      new Transport.Loops(1, "tunnel-server-accept"),
                      new Transport.Loops(0, "tunnel-server"))
              : List.of(group, group);
      EventLoopGroup boss = loops.get(0);
      EventLoopGroup workers = loops.get(1);
      Transport transport = Transport.forGroup(boss);
      Clock clock = TickerClock.of(boss.next().ticker());
      ServerMonitoring monitoring =
          new ServerMonitoring(config.monitoring(), clock, "server-" + config.bindPort());
      List<Listener> all = new ArrayList<>(monitoring.listeners());
      all.addAll(listeners);
      ServerEvents events = new ServerEvents(all, clock);
      ServerContext context =
          new ServerContext(config, transport, events, monitoring.metrics(), boss.next());
      ServerTransport tunnelTransport;
      ViolationLog violations =
          (ch, what) ->
              context.logs.warn(
                  log,
                  "transport:" + ServerContext.host(ch),
                  "Closing tunnel connection from {}: {}",
                  PeerAddress.of(ch),
                  what);
      try {
        tunnelTransport =
            ServerTransport.create(settings, ssl, config.handshakeTimeout(), violations);
      } catch (IOException e) {
        monitoring.close();
        if (own) {
          shutdown(boss, workers);
        }
        throw new TunnelStartException(Failure.of(FailureKind.TLS_SETUP, e.getMessage(), e));
      }
      ServerTunnelInitializer initializer = new ServerTunnelInitializer(context, tunnelTransport);
      ChannelFuture bind =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(transport.serverChannelClass())
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(initializer)
              .bind(config.bindAddr(), config.bindPort())
              .awaitUninterruptibly();
      if (!bind.isSuccess()) {
        monitoring.close();
        if (own) {
          shutdown(boss, workers);
        }
        throw new TunnelStartException(tunnelPortFailure(bind.cause()));
      }
      if (config.cluster() != null) {
        try {
          context.cluster = ClusterNode.start(context, workers);
        } catch (TunnelStartException e) {
          bind.channel().close().awaitUninterruptibly();
          monitoring.close();
          if (own) {
            shutdown(boss, workers);
          }
          throw e;
        }
      }
      ServerReload reload =
          new ServerReload(
              context,
              initializer,
              violations,
              tlsProvider,
              ssl,
              sslContext != null,
              monitoring::notifications);
      TunnelServer server =
          new TunnelServer(context, boss, workers, own, bind.channel(), reload, configFile);
      try {
        monitoring.start(context, server, boss.next());
      } catch (TunnelStartException e) {
        bind.channel().close().awaitUninterruptibly();
        if (own) {
          shutdown(boss, workers);
        }
        throw e;
      }
      server.monitoring = monitoring;
      context.registry.tunnelPort(server.address().getPort());
      log.info(
          "Server listening on {} ({}, TLS: {}, io: {})",
          Addresses.hostPort(config.bindAddr(), server.address().getPort()),
          tunnelTransport.describe(),
          settings.behindProxy()
              ? "terminated by the reverse proxy"
              : sslContext != null ? "given context" : tlsProvider.describe(),
          transport.name());
      if (server.files != null) {
        if (controlSocket != null) {
          server.files.listen(boss, controlSocket);
        }
        server.files.watch(config.reload());
      }
      events.started(server.address());
      return server;
    }

    private SslContext contextFromFiles() throws TunnelStartException {
      if (config.certPath() == null || config.keyPath() == null) {
        throw new TunnelStartException(
            Failure.of(
                FailureKind.TLS_SETUP,
                "server.cert_path and server.key_path: missing; set both, or give the builder an"
                    + " SslContext",
                null));
      }
      try {
        return TlsContexts.forServer(
            config.certPath(),
            config.keyPath(),
            tlsProvider,
            ServerTransport.alpn(config.transport()));
      } catch (IOException e) {
        throw new TunnelStartException(Failure.of(FailureKind.TLS_SETUP, e.getMessage(), e));
      }
    }

    private Failure tunnelPortFailure(Throwable cause) {
      return Failure.of(
          BindErrors.classify(cause),
          "cannot listen on tunnel port "
              + Addresses.hostPort(config.bindAddr(), config.bindPort())
              + ": "
              + BindErrors.describe("tunnel port", config.bindAddr(), config.bindPort(), cause),
          cause);
    }
  }
}
