package dev.tlstunnel.server;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** What every session of one server shares. No static state: each server has its own. */
final class ServerContext {
  /** The client id of an authenticated tunnel connection, for log lines. */
  static final AttributeKey<String> CLIENT_ID = AttributeKey.valueOf("tls-tunnel.client-id");

  final ServerConfig config;
  final Transport transport;
  final YamuxConfig yamuxConfig;
  final ProxyRegistry registry;
  final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();

  /** The live session of each client id; a newer session with the same id replaces it. */
  final Map<String, ServerSession> sessionsByClientId = new ConcurrentHashMap<>();

  /** Every tunnel connection, authenticated or not. */
  final ChannelGroup tunnels;

  /** The bounds in force. */
  final Limits limits;

  /** Rate-limited WARN lines about strangers and exceeded bounds. */
  final RateLimitedLog logs;

  /** Who may start a TLS handshake on the tunnel port. */
  final AdmissionControl admission;

  /** Keepalive handlers whose timers are running. */
  final AtomicInteger keepAliveTimers = new AtomicInteger();

  /** Private proxies and the streams that visit them. */
  final VisitHandler visits = new VisitHandler(this);

  ServerContext(
      ServerConfig config,
      Transport transport,
      YamuxConfig yamuxConfig,
      int tunnelPort,
      EventExecutor groupExecutor) {
    this.config = config;
    this.transport = transport;
    this.yamuxConfig = yamuxConfig;
    this.registry = new ProxyRegistry(tunnelPort);
    this.tunnels = new DefaultChannelGroup("tunnels", groupExecutor);
    this.limits = config.limits() == null ? Limits.DEFAULT : config.limits();
    this.logs = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NANOS, 4096, System::nanoTime);
    this.admission = new AdmissionControl(limits, logs, System::nanoTime);
  }

  /** The peer's host address, the key of per-source log limits. */
  static String host(Channel ch) {
    return ch.remoteAddress() instanceof java.net.InetSocketAddress inet
        ? inet.getHostString()
        : String.valueOf(ch.remoteAddress());
  }

  /** {@code "[client=c1] tunnel from /127.0.0.1:5555"}, or without the id before auth. */
  static String label(Channel tunnel) {
    String id = tunnel.attr(CLIENT_ID).get();
    return (id != null ? "[client=" + id + "] " : "") + "tunnel from " + tunnel.remoteAddress();
  }
}
