package dev.tlstunnel.client;

import dev.tlstunnel.Failure;
import dev.tlstunnel.FailureKind;
import dev.tlstunnel.IoTransport;
import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.common.TickerClock;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.ConfigLoader;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ProxyUrl;
import dev.tlstunnel.forward.Forwarders;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.reload.FileReloads;
import dev.tlstunnel.reload.ReloadLog;
import dev.tlstunnel.transport.ClientTransport;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.Transport;
import dev.tlstunnel.visitor.Visitors;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tunnel client: dials the server, authenticates, registers its proxies and serves the streams
 * the server opens; when the connection drops it reconnects with backoff and registers again.
 * Several clients may run in one JVM, on their own event loops or on a shared group.
 *
 * <pre>{@code
 * TunnelClient client = TunnelClient.builder(config).listener(myListener).start();
 * InetSocketAddress published = client.proxy("web").whenHealthy().get(30, SECONDS);
 * }</pre>
 *
 * <p>{@link Builder#start()} sets up what is local (TLS context, event loop, the admin API) before
 * it returns, or throws {@link TunnelStartException}; connecting to the server then goes on in the
 * background, reported to the listeners and through {@link #connected()}, {@link #proxy(String)},
 * {@link #status()} and {@link #exit()}.
 */
public final class TunnelClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TunnelClient.class);

  /**
   * Hears what the client does. Every method has a no-op default that passes the event to {@link
   * #onEvent}, so a listener may override the events it cares about, or just {@code onEvent} to see
   * them all. Methods are called on the client's event loop in the order the events happened
   * ({@code stopped} possibly on the thread that closes the client); they must not block. A
   * listener that throws is logged once and the client goes on.
   */
  public interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /** A listener that passes every event to {@code onEvent}. */
    static Listener of(Consumer<? super ClientEvent> onEvent) {
      Objects.requireNonNull(onEvent, "onEvent");
      return new Listener() {
        @Override
        public void onEvent(ClientEvent event) {
          onEvent.accept(event);
        }
      };
    }

    /** Every event not handled by an overridden method below. */
    default void onEvent(ClientEvent event) {}

    default void connecting(ClientEvent.Connecting event) {
      onEvent(event);
    }

    default void connected(ClientEvent.Connected event) {
      onEvent(event);
    }

    default void connectFailed(ClientEvent.ConnectFailed event) {
      onEvent(event);
    }

    default void disconnected(ClientEvent.Disconnected event) {
      onEvent(event);
    }

    default void proxyRegistered(ClientEvent.ProxyRegistered event) {
      onEvent(event);
    }

    default void proxyRejected(ClientEvent.ProxyRejected event) {
      onEvent(event);
    }

    default void proxyStatusChanged(ClientEvent.ProxyStatusChanged event) {
      onEvent(event);
    }

    default void connectionOpened(ClientEvent.ConnectionOpened event) {
      onEvent(event);
    }

    default void connectionFailed(ClientEvent.ConnectionFailed event) {
      onEvent(event);
    }

    default void connectionClosed(ClientEvent.ConnectionClosed event) {
      onEvent(event);
    }

    default void visitorRefused(ClientEvent.VisitorRefused event) {
      onEvent(event);
    }

    default void reloaded(ClientEvent.Reloaded event) {
      onEvent(event);
    }

    default void stopped(ClientEvent.Stopped event) {
      onEvent(event);
    }
  }

  private final ClientContext context;
  private final EventLoopGroup group;
  private final boolean ownGroup;
  private final ReconnectLoop loop;
  private final ClientMonitoring monitoring;
  private final ProxyRetryRequests retries;
  private final Forwarders forwarders;
  private final ClientReload reload;
  private final FileReloads files;

  private TunnelClient(
      ClientContext context,
      EventLoopGroup group,
      boolean ownGroup,
      ReconnectLoop loop,
      ClientMonitoring monitoring,
      ProxyRetryRequests retries,
      Forwarders forwarders,
      ClientReload reload,
      FileReloads files) {
    this.context = context;
    this.reload = reload;
    this.files = files;
    this.group = group;
    this.ownGroup = ownGroup;
    this.loop = loop;
    this.monitoring = monitoring;
    this.retries = retries;
    this.forwarders = forwarders;
    loop.exit().whenCompleteAsync((e, t) -> releaseResources());
  }

  /** A builder for a client with {@code config} (validated already, by its builder or loader). */
  public static Builder builder(ClientConfig config) {
    return new Builder(config);
  }

  /** Starts a client with {@code config} and no listener: {@code builder(config).start()}. */
  public static TunnelClient start(ClientConfig config) throws TunnelStartException {
    return builder(config).start();
  }

  /**
   * Completes when the client is first connected and authenticated; completes exceptionally with a
   * {@link dev.tlstunnel.TunnelException} if the client ends with a failure before that, and is
   * cancelled if it is closed before.
   */
  public CompletableFuture<ClientEvent.Connected> connected() {
    return loop.connected();
  }

  /**
   * The configured proxy named {@code name}: its state and {@link ProxyHandle#whenHealthy()}.
   *
   * @throws IllegalArgumentException when no proxy of that name is configured
   */
  public ProxyHandle proxy(String name) {
    ProxyHandle handle = loop.tracker().handle(name);
    if (handle == null) {
      throw new IllegalArgumentException(
          "no proxy named '"
              + name
              + "' in this client's configuration (proxies: "
              + reload.config().proxies().stream().map(p -> p.name()).toList()
              + ")");
    }
    return handle;
  }

  /** The latest state of the session, every proxy and every visitor. */
  public ClientStatus status() {
    return Builder.statusOf(loop, forwarders);
  }

  /** The configuration in force: the one it started with, or the last one a reload applied. */
  public ClientConfig config() {
    return reload.config();
  }

  /**
   * What {@code next} would change, without changing anything (a dry run): outcome {@code PLANNED},
   * {@code UNCHANGED}, or {@code REFUSED} when a change cannot be made while running.
   */
  public ReloadResult plan(ClientConfig next) {
    return reload.plan(Objects.requireNonNull(next, "next"));
  }

  /**
   * Applies {@code next} while running, all of it or nothing. Proxy changes travel over the session
   * that is up (no reconnect): untouched proxies and their connections go on, removed and restarted
   * ones' open connections may finish within {@code shutdown_grace}; a proxy the server rejects
   * undoes the whole reload ({@code ROLLED_BACK}). Forwarders are added, removed, restarted or
   * updated in place. A new server address, key, trust or transport takes a new session that takes
   * over from the old one gracefully. Changes to the admin API's address, to private proxies or to
   * visitors refuse the reload. Logged, and reported as a {@link ClientEvent.Reloaded}; reloads run
   * one at a time.
   */
  public CompletableFuture<ReloadResult> reload(ClientConfig next) {
    return reload.reload(Objects.requireNonNull(next, "next"), "the configuration");
  }

  /**
   * Reads the file given to {@link Builder#configFile} again and applies it as {@link
   * #reload(ClientConfig)} does, or with {@code dryRun} only plans it. An invalid file is refused
   * with every problem, each naming its key; a client without a file refuses.
   */
  public CompletableFuture<ReloadResult> reloadConfigFile(boolean dryRun) {
    if (files == null) {
      return CompletableFuture.completedFuture(
          new ReloadResult(
              ReloadResult.Outcome.REFUSED,
              List.of(),
              "the client was started without a configuration file: there is none to reload"));
    }
    FileReloads.Loaded<ClientConfig> loaded = files.load(ConfigLoader::loadClient);
    String what = String.valueOf(files.file().getFileName());
    if (loaded.refused() != null) {
      if (!dryRun) {
        reload.report(loaded.refused(), what);
      }
      return CompletableFuture.completedFuture(loaded.refused());
    }
    if (dryRun) {
      return CompletableFuture.completedFuture(plan(loaded.config()));
    }
    return reload
        .reload(loaded.config(), what)
        .whenComplete(
            (r, t) -> {
              if (r != null && r.outcome() == ReloadResult.Outcome.APPLIED) {
                files.watch(loaded.config().reload());
              }
            });
  }

  /**
   * Asks the server to start the bind schedule of a {@code bind_failed} proxy again, from its first
   * attempt. The future completes with the server's answer, or after a few seconds without one.
   */
  public CompletableFuture<ProxyRetry> retryProxy(String proxyName) {
    return retries.request(proxyName);
  }

  /** The admin API's port, or -1 when it is off. */
  public int adminPort() {
    return monitoring.adminPort();
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

  /**
   * Closes the tunnel and releases every resource, at once (the event loop too, unless it was given
   * to the builder). Idempotent.
   */
  @Override
  public void close() {
    loop.finish(ClientExit.CLOSED);
    if (ownGroup) {
      group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    } else {
      loop.exit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> null).join();
      monitoring.close();
    }
  }

  private void releaseResources() {
    if (files != null) {
      files.close();
    }
    if (forwarders != null) {
      forwarders.close();
    }
    context.visitors().close();
    monitoring.close();
    if (ownGroup) {
      Transport.shutdown(group, 2);
    }
  }

  /**
   * Configures and starts a {@link TunnelClient}. Everything but the configuration is optional: by
   * default the client makes its own event loop ({@link IoTransport#fromSystemProperty()}) and its
   * TLS context from the configuration's trust settings ({@link TlsProvider#fromSystemProperty()}).
   */
  public static final class Builder {
    private final ClientConfig config;
    private final List<Listener> listeners = new ArrayList<>();
    private EventLoopGroup group;
    private SslContext sslContext;
    private IoTransport ioTransport = IoTransport.fromSystemProperty();
    private TlsProvider tlsProvider = TlsProvider.fromSystemProperty();
    private int maxReceiveWindow = YamuxConfig.defaults().maxReceiveWindow();
    private int maxStreams = YamuxConfig.defaults().maxStreams();
    private Path configFile;
    private Path controlSocket;

    private Builder(ClientConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The file the configuration was loaded from: {@link #reloadConfigFile} reads it again, the
     * admin API answers {@code POST /api/reload}, and with {@code watch = true} the client reloads
     * it whenever its content changes.
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
     * Runs the client on one of {@code group}'s event loops instead of its own; {@link #close()}
     * leaves the group running. Timers and event times follow the loop's {@link
     * io.netty.util.concurrent.Ticker}, so a loop with a mock ticker gives fake time. The group's
     * transport (NIO or epoll) is used, whatever {@link #ioTransport} says.
     */
    public Builder eventLoopGroup(EventLoopGroup eventLoops) {
      this.group = Objects.requireNonNull(eventLoops, "eventLoops");
      return this;
    }

    /**
     * Uses {@code context} for TLS instead of one made from the configuration (whose {@code
     * ca_cert_path}, {@code skip_verify} and {@code server_fingerprint} are then not used).
     */
    public Builder sslContext(SslContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /** The socket I/O of the client's own event loop (ignored with {@link #eventLoopGroup}). */
    public Builder ioTransport(IoTransport transport) {
      this.ioTransport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The TLS implementation of the context made from the configuration. */
    public Builder tlsProvider(TlsProvider provider) {
      this.tlsProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * The largest receive window a stream may grow to, in bytes (default 8 MiB; at least yamux's
     * initial 256 KiB): what one stream may have in flight towards this client.
     */
    public Builder maxReceiveWindow(int bytes) {
      if (bytes < YamuxConfig.INITIAL_WINDOW) {
        throw new IllegalArgumentException(
            "maxReceiveWindow: must be at least " + YamuxConfig.INITIAL_WINDOW + ", got " + bytes);
      }
      this.maxReceiveWindow = bytes;
      return this;
    }

    /** The most streams open at once on the tunnel (default 16,384). */
    public Builder maxStreams(int streams) {
      if (streams < 2) {
        throw new IllegalArgumentException("maxStreams: must be at least 2, got " + streams);
      }
      this.maxStreams = streams;
      return this;
    }

    /**
     * Runs what {@link #start()} checks before it connects, without starting anything: the trust
     * settings are loaded into a TLS context (unless one was given). A configuration check uses it
     * to refuse what the client would.
     *
     * @throws TunnelStartException of kind {@code TLS_SETUP}, as {@link #start()} would
     */
    public void check() throws TunnelStartException {
      if (sslContext == null) {
        ReferenceCountUtil.release(contextFromConfig());
      }
    }

    /**
     * Sets up TLS, the event loop and the admin API, then starts connecting in the background.
     *
     * @throws TunnelStartException when the trust settings or the admin API address cannot be used
     *     ({@code TLS_SETUP}, or the admin port's bind failure kind); nothing is left running
     */
    public TunnelClient start() throws TunnelStartException {
      SslContext ssl = sslContext != null ? sslContext : contextFromConfig();
      boolean own = group == null;
      EventLoopGroup loops =
          own
              ? Transport.of(ioTransport).newGroups(new Transport.Loops(1, "tunnel-client")).get(0)
              : group;
      Transport transport = Transport.forGroup(loops);
      EventLoop eventLoop = loops.next();
      Clock clock = TickerClock.of(eventLoop.ticker());
      ClientMonitoring monitoring = new ClientMonitoring(config, clock);
      List<Listener> all = new ArrayList<>(monitoring.listeners());
      all.addAll(listeners);
      ClientEvents events = new ClientEvents(all, clock);
      YamuxConfig yamux =
          new YamuxConfig(maxReceiveWindow, YamuxConfig.defaults().maxFramePayload(), maxStreams);
      ClientContext context =
          ClientContext.of(config, transport, yamux, eventLoop)
              .observedBy(monitoring.metrics().observer(events));
      AtomicInteger keepAliveTimers = new AtomicInteger();
      ServerChoice servers = new ServerChoice();
      ReconnectLoop loop =
          new ReconnectLoop(
              context,
              ssl,
              eventLoop,
              (tracker, listener, setup) ->
                  new ClientSession(
                      setup.context(),
                      eventLoop,
                      setup.ssl(),
                      tracker,
                      listener,
                      keepAliveTimers,
                      setup.handoverFrom(),
                      servers),
              new ReconnectSchedule(
                  config.reconnect(), () -> ThreadLocalRandom.current().nextDouble()),
              events);
      Forwarders forwarders = startForwarders(loops, own, transport, loop, monitoring);
      ClientReload reload =
          new ClientReload(
              config,
              loop,
              eventLoop,
              forwarders,
              sslContext != null ? null : this::contextFor,
              (result, what) -> {
                ReloadLog.log(log, what, result);
                events.reloaded(result);
              });
      AtomicReference<TunnelClient> self = new AtomicReference<>();
      FileReloads files =
          configFile == null
              ? null
              : new FileReloads(configFile, dryRun -> self.get().reloadConfigFile(dryRun));
      try {
        monitoring.start(
            eventLoop,
            transport.serverChannelClass(),
            () -> statusOf(loop, forwarders),
            loop,
            context.retries()::request,
            files == null ? null : files.target());
      } catch (TunnelStartException e) {
        forwarders.close();
        if (files != null) {
          files.close();
        }
        if (own) {
          Transport.shutdown(loops, 1);
        }
        throw e;
      }
      TunnelClient client =
          new TunnelClient(
              context, loops, own, loop, monitoring, context.retries(), forwarders, reload, files);
      context.visitors().onRefused(events::visitorRefused);
      self.set(client);
      context.visitors().start(eventLoop);
      context.health().start(loop.tracker());
      loop.exit().whenComplete((e, t) -> context.health().stop());
      loop.start();
      if (files != null) {
        if (controlSocket != null) {
          files.listen(loops, controlSocket);
        }
        files.watch(config.reload());
      }
      return client;
    }

    /**
     * Starts the forwarders (none, perhaps: a reload may add some); they listen (and retry their
     * binds) on their own.
     */
    private Forwarders startForwarders(
        EventLoopGroup loops,
        boolean own,
        Transport transport,
        ReconnectLoop loop,
        ClientMonitoring monitoring)
        throws TunnelStartException {
      try {
        return Forwarders.start(config.forwarders(), loops, transport, loop::openStream);
      } catch (IOException e) {
        monitoring.close();
        if (own) {
          Transport.shutdown(loops, 1);
        }
        throw new TunnelStartException(Failure.of(FailureKind.UNUSABLE_FILE, e.getMessage(), e));
      }
    }

    private static ClientStatus statusOf(ReconnectLoop loop, Forwarders forwarders) {
      ClientContext context = loop.context();
      ClientConfig config = context.config();
      ReconnectLoop.View view = loop.view();
      ClientTransportConfig transport = config.transport();
      Visitors visitors = context.visitors();
      List<ProxyState> proxies =
          loop.tracker().snapshot().stream()
              .map(
                  p ->
                      isPrivate(context, p.name())
                          ? p.withVisitors("private", visitors.connected().of(p.name()))
                          : p.withVisitors("public", null))
              .toList();
      return new ClientStatus(
          config.clientId(),
          config.server(),
          view.state(),
          view.lastError(),
          view.nextAttemptAt(),
          view.attempt(),
          proxies,
          transport.describe(),
          transport.proxyUrl() == null ? null : ProxyUrl.redact(transport.proxyUrl()),
          forwarders == null ? List.of() : forwarders.states(),
          visitors.snapshot());
    }

    private static boolean isPrivate(ClientContext context, String proxy) {
      ProxyConfig p = context.proxiesByName().get(proxy);
      return p != null && p.isPrivate();
    }

    /** The TLS context a reloaded configuration's trust settings make. */
    private SslContext contextFor(ClientConfig next) throws IOException {
      return TlsContexts.forClient(
          next.caCertPath(),
          next.skipVerify(),
          next.serverFingerprint(),
          tlsProvider,
          ClientTransport.alpn(next.transport()));
    }

    private SslContext contextFromConfig() throws TunnelStartException {
      try {
        return TlsContexts.forClient(
            config.caCertPath(),
            config.skipVerify(),
            config.serverFingerprint(),
            tlsProvider,
            ClientTransport.alpn(config.transport()));
      } catch (IOException e) {
        throw new TunnelStartException(Failure.of(FailureKind.TLS_SETUP, e.getMessage(), e));
      }
    }
  }
}
