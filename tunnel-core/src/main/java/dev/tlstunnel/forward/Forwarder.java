package dev.tlstunnel.forward;

import dev.tlstunnel.FailureKind;
import dev.tlstunnel.ForwarderState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.EgressRules;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ForwarderType;
import dev.tlstunnel.egress.Dialer;
import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.egress.EgressPolicy;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarder: its listener (binding and retrying like a published port, with the same log lines
 * and states), the bounds of its connections, its routing and its counters. Each accepted
 * connection gets the byte counter, the handshake deadline, the idle timeout and the front end of
 * its type.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ForwarderConfig config;
  private final EventLoopGroup group;
  private final Transport transport;
  private final Credentials credentials;
  private final Connector connector;
  private final ForwarderStats stats = new ForwarderStats();
  private final ProxyListener listener;
  private volatile Bind lastStatus;
  private long lastLogNanos;
  private long suppressed;

  Forwarder(
      ForwarderConfig config,
      EventLoopGroup group,
      Transport transport,
      TunnelStreams tunnel,
      Executor blocking,
      Router router) {
    this.config = config;
    this.group = group;
    this.transport = transport;
    this.credentials = Credentials.of(config.username(), config.password());
    EgressRules d = config.direct();
    this.connector =
        new Connector(
            config.name(),
            router,
            EgressPolicy.parse(d.allowCidrs(), d.denyCidrs(), d.allowPorts(), d.denyPorts()),
            blocking,
            new Dialer(transport.socketChannelClass(), config.connectTimeout()),
            tunnel);
    EventLoop loop = group.next();
    this.listener =
        new ProxyListener(
            log,
            "Forwarder",
            config.name(),
            config.bindAddr(),
            config.bindPort(),
            config.bindRetry() == null ? BindRetryPolicy.DEFAULT : config.bindRetry(),
            loop,
            address -> bootstrap(loop).bind(address),
            new BindObserver());
  }

  void start() {
    listener.start();
  }

  void close() {
    listener.close();
  }

  private ServerBootstrap bootstrap(EventLoop loop) {
    return new ServerBootstrap()
        .group(loop, group)
        .channel(transport.serverChannelClass())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childHandler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                accept(ch);
              }
            });
  }

  private void accept(Channel ch) {
    if (stats.active.get() >= config.maxConnections()) {
      stats.rejected.increment();
      rateLimitedWarn(
          "max_connections={} reached; closing a new connection from {}",
          config.maxConnections(),
          ch.remoteAddress());
      ch.close();
      return;
    }
    stats.active.incrementAndGet();
    stats.total.increment();
    ChannelPipeline p = ch.pipeline();
    p.addLast("count", new ForwardHandlers.Counter(stats));
    p.addLast("handshake", new ForwardHandlers.HandshakeDeadline(config.handshakeTimeout()));
    p.addLast(
        "idle", new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
    p.addLast("idle-close", new ForwardHandlers.IdleCloser());
    if (config.type() == ForwarderType.HTTP) {
      int head = config.maxRequestHead();
      p.addLast(HttpProxyHandler.CODEC, new HttpServerCodec(head, head, 8192));
      p.addLast("http-proxy", new HttpProxyHandler(this));
    } else {
      p.addLast(Socks5Handler.ENCODER, Socks5ServerEncoder.DEFAULT);
      p.addLast(Socks5Handler.DECODER, new Socks5InitialRequestDecoder());
      p.addLast("socks", new Socks5Handler(this));
    }
    ch.read();
  }

  Credentials credentials() {
    return credentials;
  }

  Connector connector() {
    return connector;
  }

  ForwarderStats stats() {
    return stats;
  }

  ForwarderConfig config() {
    return config;
  }

  /**
   * The target of an application connection answered: counts the route, ends the handshake
   * deadline, relays between the two channels and removes the front end's handlers ({@code
   * frontEnd}, then {@code handler}); bytes a removed decoder still held reach the relay.
   *
   * @param answer writes the front end's success answer (200, SOCKS5 success)
   */
  void relay(
      ChannelHandlerContext ctx, Connector.Outcome outcome, Runnable answer, String... frontEnd) {
    Channel outbound = outcome.channel();
    if (!ctx.channel().isActive()) {
      outbound.close();
      return;
    }
    stats.connected(outcome.decision().via());
    answer.run();
    ctx.pipeline().fireUserEventTriggered(ForwardHandlers.HANDSHAKE_DONE);
    Channel local = ctx.channel();
    Connector.link(local, outbound);
    for (String name : frontEnd) {
      if (local.pipeline().get(name) != null) {
        local.pipeline().remove(name);
      }
    }
    local.pipeline().remove(ctx.handler());
  }

  /** An application's request was refused before any connect (authentication, bad request). */
  void refused(Channel ch, String why) {
    stats.lastError = why;
    rateLimitedWarn("{} (from {})", why, ch.remoteAddress());
  }

  /** A connect for an application failed: counted, remembered, logged (rate-limited). */
  void failed(Channel ch, String host, int port, Throwable cause) {
    EgressFailure kind = cause instanceof EgressException e ? e.failure() : EgressFailure.FAILED;
    if (kind == EgressFailure.NOT_ALLOWED) {
      stats.blocked.increment();
    }
    String target = new Target(host, port).toString();
    stats.lastError = target + ": " + cause.getMessage();
    rateLimitedWarn("{} for {} failed: {}", target, ch.remoteAddress(), cause.getMessage());
  }

  /** At most one line per 10 s for this forwarder; the next one says how many were skipped. */
  private void rateLimitedWarn(String format, Object... args) {
    long skipped;
    synchronized (this) {
      long now = System.nanoTime();
      if (lastLogNanos != 0 && now - lastLogNanos < LOG_INTERVAL_NANOS) {
        suppressed++;
        return;
      }
      lastLogNanos = now;
      skipped = suppressed;
      suppressed = 0;
    }
    String line = "[forwarder=" + config.name() + "] " + format;
    if (skipped > 0) {
      line += " (" + skipped + " similar lines suppressed)";
    }
    log.warn(line, args);
  }

  ForwarderState state() {
    Bind s = lastStatus;
    var bound = listener.boundAddress();
    int port = bound != null ? bound.getPort() : config.bindPort();
    ProxyStatus status = s == null ? ProxyStatus.PENDING : s.status();
    return new ForwarderState(
        config.name(),
        config.type().configName(),
        Addresses.hostPort(config.bindAddr(), port),
        status,
        s == null ? null : s.error(),
        stats.active.get(),
        stats.total.sum(),
        stats.rejected.sum(),
        stats.direct.sum(),
        stats.tunneled.sum(),
        stats.blocked.sum(),
        stats.bytesIn.sum(),
        stats.bytesOut.sum(),
        stats.lastError);
  }

  /** The listener's latest state and, when not listening, why. */
  private record Bind(ProxyStatus status, String error) {}

  private final class BindObserver implements ProxyListener.Observer {
    @Override
    public void bound(ProxyListener proxy, int attempt, InetSocketAddress address) {
      lastStatus = new Bind(ProxyStatus.HEALTHY, null);
    }

    @Override
    public void retrying(
        ProxyListener proxy, int attempt, FailureKind cause, String message, Duration delay) {
      lastStatus = new Bind(ProxyStatus.UNHEALTHY, message);
    }

    @Override
    public void gaveUp(ProxyListener proxy, int attempt, FailureKind cause, String message) {
      lastStatus = new Bind(ProxyStatus.BIND_FAILED, message);
    }
  }
}
