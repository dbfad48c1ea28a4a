package dev.tlstunnel.server;

import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.common.Counts;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.SessionReplaced;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated client: its tunnel, control stream, proxies ({@link ProxyRegistration}) and
 * public connections, and how the session ends (closed, replaced by a newer session of the same
 * client, or drained). Everything of a session runs on the tunnel's event loop. Closing the session
 * cancels every timer, closes every listener and releases its registry entries.
 */
final class ServerSession {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

  /** Bind and retry lines of published ports, under the logger name they always had. */
  private static final Logger LISTENER_LOG =
      LoggerFactory.getLogger("dev.tlstunnel.server.ProxyListener");

  /** The id of a client that sent none; such sessions never replace each other. */
  static final String ANONYMOUS = "?";

  /**
   * A session that replaced another and is itself replaced within this time means two clients use
   * one id: they keep taking the session from each other.
   */
  static final Duration FLAPPING_WITHIN = Duration.ofMinutes(1);

  /** How long a replaced session's last word to its client may take before it closes anyway. */
  static final long REPLACED_NOTICE_MILLIS = 200;

  private final ServerContext context;
  private final Channel tunnel;
  private final Channel control;
  private final String clientId;
  private final String clientVersion;
  private final ProxyRegistration proxies;
  private final ChannelGroup publicConnections;
  private final PublicConnectionGate gate;
  private final LocalHealth health = new LocalHealth(this);
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private final String handoverFrom;
  private CompletableFuture<Void> predecessorClosed = CompletableFuture.completedFuture(null);

  /** Completes once every proxy message so far is handled; later ones wait for it, in order. */
  private CompletableFuture<Void> proxyMessages;

  private boolean registered;
  private volatile boolean draining;
  private boolean handedOver;
  private boolean replaced;
  private volatile boolean closed;
  private boolean tookOver;
  private long startedNanos;

  ServerSession(
      ServerContext context,
      Channel tunnel,
      Channel control,
      String clientId,
      String clientVersion,
      String handoverFrom) {
    this.context = context;
    this.handoverFrom = handoverFrom;
    this.tunnel = tunnel;
    this.control = control;
    this.clientId = clientId;
    this.clientVersion = clientVersion;
    this.publicConnections = new DefaultChannelGroup("public-" + clientId, tunnel.eventLoop());
    this.gate =
        new PublicConnectionGate(
            clientId,
            context.limits.maxConnectionsPerProxy(),
            context.limits.maxPendingConnects(),
            context.logs,
            context.events);
    this.proxies = new ProxyRegistration(this, context);
  }

  /**
   * Joins the server's sessions; the session ends with its tunnel. A live session of the same
   * client id (a stale connection the client has given up on) is closed first, and this session
   * registers its proxies only once that one has released them.
   */
  void start() {
    tunnel.attr(ServerContext.CLIENT_ID).set(clientId);
    startedNanos = eventLoop().ticker().nanoTime();
    tunnel.attr(ClientStreamRouter.SESSION).set(this);
    SessionVisits.start(this, context);
    ServerSession previous =
        clientId.equals(ANONYMOUS) ? null : context.sessionsByClientId.put(clientId, this);
    ServerSession handingOver = handingOver(previous);
    tookOver = previous != null && previous != this;
    if (handingOver != null) {
      log.info(
          "Client '{}' reconnected from {} to apply a reload; its session from {} hands its"
              + " proxies over and closes once its open connections finish",
          clientId,
          PeerAddress.of(tunnel),
          PeerAddress.of(handingOver.tunnel));
      predecessorClosed = handingOver.handOver();
      if (previous != null && previous != handingOver && previous != this) {
        previous.replace(String.valueOf(PeerAddress.of(tunnel)));
      }
    } else if (tookOver) {
      logTakeover(previous);
      predecessorClosed = previous.replace(String.valueOf(PeerAddress.of(tunnel)));
    } else {
      log.info(
          "Client '{}' connected from {} over {}",
          clientId,
          PeerAddress.of(tunnel),
          PeerAddress.transport(tunnel).configName());
    }
    proxyMessages = predecessorClosed;
    context.sessions.add(this);
    context.events.clientConnected(clientId, remoteAddress(), clientVersion, tookOver);
    tunnel.closeFuture().addListener(f -> close());
  }

  /**
   * One INFO line per takeover, until two clients are seen replacing each other: then one WARN for
   * that id, and its later takeovers at DEBUG.
   */
  private void logTakeover(ServerSession previous) {
    boolean flapping =
        previous.tookOver
            && startedNanos - previous.startedNanos < FLAPPING_WITHIN.toNanos()
            && context.flappingIds.size() < ServerContext.MAX_FLAPPING_IDS;
    if (flapping && context.flappingIds.add(clientId)) {
      log.warn(
          "Client id '{}' is used by more than one client: the sessions from {} and {} keep"
              + " replacing each other; give each client its own client_id",
          clientId,
          PeerAddress.of(tunnel),
          PeerAddress.of(previous.tunnel));
    } else if (context.flappingIds.contains(clientId)) {
      log.debug(
          "Client '{}' from {} replaces its session from {} again",
          clientId,
          PeerAddress.of(tunnel),
          PeerAddress.of(previous.tunnel));
    } else {
      log.info(
          "Client '{}' reconnected from {}; replacing its previous session from {}",
          clientId,
          PeerAddress.of(tunnel),
          PeerAddress.of(previous.tunnel));
    }
  }

  String clientId() {
    return clientId;
  }

  Channel tunnel() {
    return tunnel;
  }

  EventLoop eventLoop() {
    return tunnel.eventLoop();
  }

  /** The server's rate-limited log, for lines a peer could repeat at will. */
  RateLimitedLog logs() {
    return context.logs;
  }

  ServerEvents events() {
    return context.events;
  }

  /** The counters of this server's proxy {@code name}. */
  dev.tlstunnel.metrics.Traffic traffic(String proxyName) {
    return context.metrics.traffic(proxyName);
  }

  private InetSocketAddress remoteAddress() {
    return PeerAddress.of(tunnel) instanceof InetSocketAddress a ? a : null;
  }

  /** Sends a control message if the control stream is still open. */
  void send(ControlMessage message) {
    if (control.isActive()) {
      control.writeAndFlush(message);
    }
  }

  /** The load-balancing group this session's proxy {@code name} is a member of, or null. */
  ProxyGroup groupOf(String name) {
    return proxies.groupOf(name);
  }

  /** The health of this session's local services, as its client reports it. */
  LocalHealth health() {
    return health;
  }

  /**
   * Whether new public connections may go to this session: open, and neither side shutting down (a
   * client that sent go-away lets its open streams finish and takes no new ones).
   */
  boolean accepting() {
    YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(tunnel);
    return tunnel.isActive()
        && control.isActive()
        && !closed
        && !draining
        && mux != null
        && !mux.peerWentAway();
  }

  /** Whether this session registered a proxy named {@code name} (public or private). */
  boolean hasProxy(String name) {
    return proxies.listener(name) != null
        || context.visits.privateProxies().find(this, name) != null;
  }

  /** The listener of this session's proxy {@code name}, or null. */
  ProxyListener listener(String name) {
    return proxies.listener(name);
  }

  /** Opens a data stream to the client. */
  Future<Channel> openStream(ChannelHandler initializer) {
    return YamuxMultiplexHandler.get(tunnel).openStream(initializer);
  }

  /**
   * Registers the client's proxies; each is accepted or rejected on its own. A later message of the
   * session adds proxies, or replaces those it marks (a reload). Waits for a replaced predecessor
   * to have released its proxies.
   */
  void register(List<ProxySpec> specs) {
    if (draining || handedOver) {
      log.warn("[client={}] ignoring register_proxies (shutting down)", clientId);
      return;
    }
    inOrder(() -> proxies.registerAll(specs));
  }

  /** Removes proxies of this session (a reload removed them); their connections go on. */
  void unregister(List<String> names) {
    inOrder(() -> proxies.unregister(names));
  }

  /**
   * Runs {@code action} on the event loop after every earlier proxy message, in order; not at all
   * once the session is closed (a message decoded in the read that ended it comes after the end).
   */
  private void inOrder(Runnable action) {
    if (closed) {
      log.debug("[client={}] ignoring a proxy message after the session closed", clientId);
      return;
    }
    if (proxyMessages == null || proxyMessages.isDone()) {
      action.run();
      return;
    }
    proxyMessages =
        proxyMessages.whenCompleteAsync(
            (v, t) -> {
              if (!closed) {
                action.run();
              }
            },
            eventLoop());
  }

  /**
   * The session this one takes over gracefully ({@code handover_from} of its hello): the session of
   * that client id, when there is one; else null.
   */
  private ServerSession handingOver(ServerSession sameId) {
    if (handoverFrom == null || handoverFrom.equals(ANONYMOUS)) {
      return null;
    }
    if (handoverFrom.equals(clientId)) {
      return sameId != this ? sameId : null;
    }
    ServerSession other = context.sessionsByClientId.get(handoverFrom);
    return other != null && other.clientId.equals(handoverFrom) ? other : null;
  }

  /**
   * Hands this session's proxies over to a newer session of its client: listeners closed and
   * bindings released at once (the future completes then), go-away sent; the client closes the
   * tunnel once its open streams have finished, and the server does after {@code shutdown_grace}.
   */
  private CompletableFuture<Void> handOver() {
    CompletableFuture<Void> released = new CompletableFuture<>();
    try {
      eventLoop()
          .execute(
              () -> {
                if (closed) {
                  released.complete(null);
                  return;
                }
                handedOver = true;
                proxies.closeListeners();
                context.registry.releaseAll(this);
                context.sessionsByClientId.remove(clientId, this);
                YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(tunnel);
                if (mux != null) {
                  mux.goAway(0);
                }
                released.complete(null);
                // The client closes the tunnel once its streams have finished; this is the bound.
                eventLoop()
                    .schedule(
                        this::close,
                        context.config.shutdownGrace().toNanos(),
                        TimeUnit.NANOSECONDS);
              });
    } catch (RejectedExecutionException e) {
      released.complete(null);
    }
    return released;
  }

  /** This server's part in a cluster, or null. */
  ClusterNode cluster() {
    return context.cluster;
  }

  /**
   * Whether proxies registered now may still start: not once the session has closed, handed its
   * proxies over, or begun to drain. Call on the session's event loop.
   */
  boolean acceptsProxies() {
    return !closed && !draining && !handedOver;
  }

  /** Counts a public connection of this session until it closes (drain waits for them). */
  void trackPublicConnection(Channel ch) {
    publicConnections.add(ch);
  }

  /**
   * Ends the session: timers cancelled, listeners closed, registry entries released. The future
   * completes once that is done (on the session's event loop).
   */
  CompletableFuture<Void> close() {
    if (!eventLoop().inEventLoop()) {
      try {
        eventLoop().execute(this::close);
      } catch (RejectedExecutionException e) {
        closedFuture.complete(null);
      }
      return closedFuture;
    }
    if (closed) {
      return closedFuture;
    }
    closed = true;
    proxies.closeListeners();
    List<String> held = context.cluster == null ? null : context.registry.namesOf(this);
    context.registry.releaseAll(this);
    if (held != null) {
      context.cluster.releaseAll(this, held);
    }
    context.visits.privateProxies().releaseAll(this);
    context.sessions.remove(this);
    context.sessionsByClientId.remove(clientId, this);
    tunnel.flush(); // what is written but not flushed yet goes out before the TLS close
    tunnel.close();
    int count = proxies.count();
    if (handedOver) {
      log.info(
          "Client '{}' previous session from {} closed after handing {} over",
          clientId,
          PeerAddress.of(tunnel),
          Counts.of(count, "proxy", "proxies"));
    } else if (replaced) {
      log.info(
          "Client '{}' previous session from {} closed; {} handed over",
          clientId,
          PeerAddress.of(tunnel),
          Counts.of(count, "proxy", "proxies"));
    } else {
      log.info(
          "Client '{}' disconnected; {} released", clientId, Counts.of(count, "proxy", "proxies"));
    }
    context.events.clientDisconnected(clientId, remoteAddress(), count, replaced || handedOver);
    closedFuture.complete(null);
    return closedFuture;
  }

  /**
   * Closes this session because the same client id has a newer one, from {@code newSession}; the
   * client is told why first (within {@link #REPLACED_NOTICE_MILLIS}).
   */
  private CompletableFuture<Void> replace(String newSession) {
    try {
      eventLoop()
          .execute(
              () -> {
                replaced = !closed;
                if (closed || !control.isActive()) {
                  close();
                  return;
                }
                var timer =
                    eventLoop()
                        .schedule(this::close, REPLACED_NOTICE_MILLIS, TimeUnit.MILLISECONDS);
                control
                    .writeAndFlush(new SessionReplaced(clientId, newSession))
                    .addListener(
                        f -> {
                          timer.cancel(false);
                          close();
                        });
              });
    } catch (RejectedExecutionException e) {
      closedFuture.complete(null);
    }
    return closedFuture;
  }

  /**
   * Starts a graceful end: stops accepting on every published port (new connections are refused),
   * sends go-away on the tunnel, and completes once every public connection open now has finished.
   */
  CompletableFuture<Void> drain() {
    CompletableFuture<Void> drained = new CompletableFuture<>();
    eventLoop()
        .execute(
            () -> {
              draining = true;
              proxies.closeListeners();
              YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(tunnel);
              if (mux != null) {
                mux.goAway(0);
              }
              publicConnections.newCloseFuture().addListener(f -> drained.complete(null));
            });
    return drained;
  }

  /** Bounds the public connections of this session. */
  PublicConnectionGate gate() {
    return gate;
  }

  /** Public connections (one stream each) open right now. */
  int publicConnections() {
    return publicConnections.size();
  }

  /** A snapshot of the session's proxies, for {@link ServerSnapshot}. */
  List<ServerSnapshot.ProxyInfo> proxyInfos() {
    return proxies.infos();
  }

  int openStreams() {
    try {
      return YamuxMultiplexHandler.get(tunnel).streamCount();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
