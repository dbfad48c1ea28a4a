package dev.tlstunnel.server;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated client: its tunnel, control stream and published proxies. Everything of a
 * session (listeners, public connections, retry timers) runs on the tunnel's event loop. Closing
 * the session cancels every timer, closes every listener and releases its registry entries.
 */
final class ServerSession {
  private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

  private final ServerContext context;
  private final Channel tunnel;
  private final Channel control;
  private final String clientId;
  private final Map<String, ProxyListener> listeners = new ConcurrentHashMap<>();
  private boolean registered;
  private boolean closed;

  ServerSession(ServerContext context, Channel tunnel, Channel control, String clientId) {
    this.context = context;
    this.tunnel = tunnel;
    this.control = control;
    this.clientId = clientId;
  }

  /** Joins the server's sessions; the session ends with its tunnel. */
  void start() {
    context.sessions.add(this);
    log.info("Client '{}' connected from {}", clientId, tunnel.remoteAddress());
    tunnel.closeFuture().addListener(f -> close());
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

  /** Registers the client's proxies; each is accepted or rejected on its own. */
  void register(List<ProxySpec> specs) {
    if (registered) {
      log.warn("[client={}] ignoring a second register_proxies", clientId);
      return;
    }
    registered = true;
    for (ProxySpec spec : specs) {
      registerOne(spec);
    }
  }

  private void registerOne(ProxySpec spec) {
    Optional<String> problem = ProxySpecCheck.problem(spec);
    if (problem.isEmpty()) {
      problem = context.registry.claim(this, spec.name(), spec.publishAddr(), spec.publishPort());
    }
    if (problem.isPresent()) {
      log.warn("[client={}] Proxy '{}' rejected: {}", clientId, spec.name(), problem.get());
      send(new ProxyRegistrationResult(spec.name(), false, problem.get(), null, null));
      return;
    }
    RetryPolicyClamp.Result policy =
        RetryPolicyClamp.clamp(context.config.bindRetry(), spec.bindRetry());
    send(
        new ProxyRegistrationResult(
            spec.name(), true, null, policy.note(), RetryPolicyClamp.toSpec(policy.policy())));
    startListener(spec, policy.policy());
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
    return new ServerBootstrap()
        .group(loop)
        .channel(context.transport.serverChannelClass())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new PublicConnectionHandler(ServerSession.this, proxyName));
              }
            });
  }

  /** Ends the session: timers cancelled, listeners closed, registry entries released. */
  void close() {
    if (!eventLoop().inEventLoop()) {
      eventLoop().execute(this::close);
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    listeners.values().forEach(ProxyListener::close);
    context.registry.releaseAll(this);
    context.sessions.remove(this);
    tunnel.close();
    log.info("Client '{}' disconnected; {} proxies released", clientId, listeners.size());
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
