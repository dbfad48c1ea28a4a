package dev.tlstunnel.server;

import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated client: its tunnel, control stream and published proxies. Everything of a
 * session (listeners, public connections, retry timers) runs on the tunnel's event loop. Closing
 * the session cancels every timer, closes every listener and releases its registry entries.
 */
final class ServerSession {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

  /** The id of a client that sent none; such sessions never replace each other. */
  static final String ANONYMOUS = "?";

  private final ServerContext context;
  private final Channel tunnel;
  private final Channel control;
  private final String clientId;
  private final Map<String, ProxyListener> listeners = new ConcurrentHashMap<>();
  private final ChannelGroup publicConnections;
  private final PublicConnectionGate gate;
  private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
  private CompletableFuture<Void> predecessorClosed = CompletableFuture.completedFuture(null);
  private boolean registered;
  private boolean draining;
  private boolean replaced;
  private boolean closed;

  ServerSession(ServerContext context, Channel tunnel, Channel control, String clientId) {
    this.context = context;
    this.tunnel = tunnel;
    this.control = control;
    this.clientId = clientId;
    this.publicConnections = new DefaultChannelGroup("public-" + clientId, tunnel.eventLoop());
    this.gate =
        new PublicConnectionGate(
            clientId,
            context.limits.maxConnectionsPerProxy(),
            context.limits.maxPendingConnects(),
            context.logs);
  }

  /**
   * Joins the server's sessions; the session ends with its tunnel. A live session of the same
   * client id (a stale connection the client has given up on) is closed first, and this session
   * registers its proxies only once that one has released them.
   */
  void start() {
    tunnel.attr(ServerContext.CLIENT_ID).set(clientId);
    tunnel.attr(ClientStreamRouter.SESSION).set(this);
    SessionVisits.start(this, context);
    ServerSession previous =
        clientId.equals(ANONYMOUS) ? null : context.sessionsByClientId.put(clientId, this);
    if (previous != null && previous != this) {
      log.info(
          "Client '{}' reconnected from {}; replacing its previous session from {}",
          clientId,
          tunnel.remoteAddress(),
          previous.tunnel.remoteAddress());
      predecessorClosed = previous.replace();
    } else {
      log.info("Client '{}' connected from {}", clientId, tunnel.remoteAddress());
    }
    context.sessions.add(this);
    tunnel.closeFuture().addListener(f -> close());
  }

  /** The server's rate-limited log, for lines a peer could repeat at will. */
  RateLimitedLog logs() {
    return context.logs;
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

  /** Sends a control message if the control stream is still open. */
  void send(ControlMessage message) {
    if (control.isActive()) {
      control.writeAndFlush(message);
    }
  }

  /** Opens a data stream to the client. */
  Future<Channel> openStream(ChannelHandler initializer) {
    return YamuxMultiplexHandler.get(tunnel).openStream(initializer);
  }

  /**
   * Registers the client's proxies; each is accepted or rejected on its own. Waits for a replaced
   * predecessor to have released its proxies.
   */
  void register(List<ProxySpec> specs) {
    if (registered || draining) {
      log.warn(
          "[client={}] ignoring register_proxies (already registered or shutting down)", clientId);
      return;
    }
    registered = true;
    if (predecessorClosed.isDone()) {
      registerAll(specs);
    } else {
      predecessorClosed.whenComplete((v, t) -> eventLoop().execute(() -> registerAll(specs)));
    }
  }

  private void registerAll(List<ProxySpec> specs) {
    if (closed) {
      return;
    }
    int max = context.limits.maxProxiesPerClient();
    for (int i = 0; i < specs.size(); i++) {
      if (i < max) {
        registerOne(specs.get(i));
      } else {
        reject(specs.get(i).name(), "limit max_proxies_per_client=" + max + " reached");
      }
    }
  }

  private void registerOne(ProxySpec spec) {
    Optional<String> problem = ProxySpecCheck.problem(spec);
    if (problem.isEmpty()) {
      problem = context.registry.claim(this, spec.name(), spec.publishAddr(), spec.publishPort());
    }
    if (problem.isPresent()) {
      reject(spec.name(), problem.get());
      return;
    }
    if (spec.privateAccess() != null) {
      context.visits.privateProxies().register(this, spec);
      return;
    }
    RetryPolicyClamp.Result policy =
        RetryPolicyClamp.clamp(context.config.bindRetry(), spec.bindRetry());
    send(
        new ProxyRegistrationResult(
            spec.name(), true, null, policy.note(), RetryPolicyClamp.toSpec(policy.policy())));
    startListener(spec, policy.policy());
  }

  private void reject(String proxy, String reason) {
    log.warn("[client={}] Proxy '{}' rejected: {}", clientId, proxy, reason);
    send(new ProxyRegistrationResult(proxy, false, reason, null, null));
  }

  private void startListener(ProxySpec spec, BindRetryPolicy policy) {
    EventLoop loop = eventLoop();
    ProxyListener listener =
        new ProxyListener(
            spec.name(),
            spec.publishAddr(),
            spec.publishPort(),
            policy,
            loop,
            address -> bootstrap(spec.name(), loop).bind(address),
            this::send);
    listeners.put(spec.name(), listener);
    listener.start();
  }

  private ServerBootstrap bootstrap(String proxyName, EventLoop loop) {
    return Listeners.forRelay(
        loop,
        context.transport.serverChannelClass(),
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (!gate.admit(ch, proxyName)) {
              return;
            }
            publicConnections.add(ch);
            ch.pipeline().addLast(new PublicConnectionHandler(ServerSession.this, proxyName));
          }
        });
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
    listeners.values().forEach(ProxyListener::close);
    context.registry.releaseAll(this);
    context.visits.privateProxies().releaseAll(this);
    context.sessions.remove(this);
    context.sessionsByClientId.remove(clientId, this);
    tunnel.close();
    if (replaced) {
      log.info(
          "Client '{}' previous session from {} closed; {} proxies handed over",
          clientId,
          tunnel.remoteAddress(),
          listeners.size());
    } else {
      log.info("Client '{}' disconnected; {} proxies released", clientId, listeners.size());
    }
    closedFuture.complete(null);
    return closedFuture;
  }

  /** Closes this session because the same client has a newer one. */
  private CompletableFuture<Void> replace() {
    try {
      eventLoop()
          .execute(
              () -> {
                replaced = !closed;
                close();
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
              listeners.values().forEach(ProxyListener::close);
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
    return listeners.values().stream().map(this::info).toList();
  }

  private ServerSnapshot.ProxyInfo info(ProxyListener l) {
    ProxyRegistry.Entry entry =
        context.registry.entries().stream()
            .filter(e -> e.owner() == this && e.proxyName().equals(l.name()))
            .findFirst()
            .orElse(null);
    var bound = l.boundAddress();
    return new ServerSnapshot.ProxyInfo(
        l.name(),
        clientId,
        entry != null ? entry.publishAddr() : null,
        entry != null ? entry.publishPort() : 0,
        l.status() == null ? "binding" : l.status().wireName(),
        bound != null ? bound.getPort() : 0,
        l.retryPending());
  }

  int openStreams() {
    try {
      return YamuxMultiplexHandler.get(tunnel).streamCount();
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
