package dev.tlstunnel.server;

import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.mux.YamuxConfig;
import dev.tlstunnel.proxyproto.InboundProxyProtocol;
import dev.tlstunnel.transport.PeerAddress;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every session of one server shares. No static state: each server has its own. */
final class ServerContext {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.ProxyProtocol");

  /** The client id of an authenticated tunnel connection, for log lines. */
  static final AttributeKey<String> CLIENT_ID = AttributeKey.valueOf("tls-tunnel.client-id");

  /** The yamux bounds a peer can exceed, named after their keys in {@code [server.limits]}. */
  static final YamuxConfig.LimitNames LIMIT_NAMES =
      new YamuxConfig.LimitNames("max_receive_window", "max_streams_per_session");

  /** The configuration in force; a reload replaces it ({@link #adopt}). */
  volatile ServerConfig config;

  final Transport transport;

  /** The yamux bounds of new sessions. */
  volatile YamuxConfig yamuxConfig;

  /** Builds the events and calls the server's listeners. */
  final ServerEvents events;

  /** The counters, kept by the first of those listeners. */
  final ServerMetrics metrics;

  final ProxyRegistry registry;

  /** The load-balancing groups. */
  final ProxyGroups groups = new ProxyGroups(this);

  /** Which ports may be published, and the ports picked for {@code publish_port = 0}. */
  final PortAllocator ports;

  final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();

  /** The most client ids remembered as used by more than one client (each warned about once). */
  static final int MAX_FLAPPING_IDS = 4096;

  /** Client ids seen used by more than one client at once (they replaced each other). */
  final Set<String> flappingIds = ConcurrentHashMap.newKeySet();

  /** The live session of each client id; a newer session with the same id replaces it. */
  final Map<String, ServerSession> sessionsByClientId = new ConcurrentHashMap<>();

  /** Every tunnel connection, authenticated or not. */
  final ChannelGroup tunnels;

  /** The bounds in force. */
  volatile Limits limits;

  /**
   * The auth keys accepted: the configured one, and the previous one for a while after a reload.
   */
  final AuthKeyRing keys;

  /** Rate-limited WARN lines about strangers and exceeded bounds. */
  final RateLimitedLog logs;

  /** Who may start a TLS handshake on the tunnel port. */
  final AdmissionControl admission;

  /** Egress for the clients' forwarders ({@code allow_forward}). */
  final EgressGate egress;

  /** PROXY protocol headers from a load balancer in front, on every port. */
  final InboundProxyProtocol proxyProtocol;

  /** Keepalive handlers whose timers are running. */
  final AtomicInteger keepAliveTimers = new AtomicInteger();

  /** This server's part in a cluster ({@code [server.cluster]}); null for a server on its own. */
  volatile ClusterNode cluster;

  /** Private proxies and the streams that visit them. */
  final VisitHandler visits = new VisitHandler(this);

  /** A context with counters of its own that no listener feeds (for handler tests). */
  ServerContext(
      ServerConfig config, Transport transport, ServerEvents events, EventExecutor groupExecutor) {
    this(
        config,
        transport,
        events,
        new ServerMetrics(config.monitoring().metricsLabelLimit(), events.clock().instant()),
        groupExecutor);
  }

  ServerContext(
      ServerConfig config,
      Transport transport,
      ServerEvents events,
      ServerMetrics metrics,
      EventExecutor groupExecutor) {
    this.config = config;
    this.transport = transport;
    this.events = events;
    this.metrics = metrics;
    this.limits = config.limits();
    this.yamuxConfig = yamux(limits);
    this.keys = new AuthKeyRing(config.authKey(), System::nanoTime);
    this.registry = new ProxyRegistry(config.bindPort());
    this.ports = new PortAllocator(config.edge(), events.clock());
    this.tunnels = new DefaultChannelGroup("tunnels", groupExecutor);
    this.logs = new RateLimitedLog(RateLimitedLog.DEFAULT_INTERVAL_NANOS, 4096, System::nanoTime);
    this.admission = new AdmissionControl(limits, logs, System::nanoTime);
    this.egress = new EgressGate(config.egress(), transport);
    this.proxyProtocol =
        InboundProxyProtocol.of(
            config.edge(),
            config.handshakeTimeout(),
            (ch, why) ->
                logs.warn(
                    log,
                    "proxy-protocol:" + host(ch),
                    "Refusing connection from {} to {}: {}",
                    ch.remoteAddress(),
                    ch.localAddress(),
                    why));
  }

  /**
   * Takes a reloaded configuration: what every new connection, session and registration reads. The
   * parts that hold state of their own (admission, egress, keys, sessions) are updated by {@link
   * ServerReload}.
   */
  void adopt(ServerConfig next) {
    limits = next.limits();
    yamuxConfig = yamux(limits);
    config = next;
  }

  private static YamuxConfig yamux(Limits limits) {
    return new YamuxConfig(
        limits.maxReceiveWindow(),
        limits.maxFramePayload(),
        limits.maxStreamsPerSession(),
        limits.maxSessionWindow(),
        LIMIT_NAMES);
  }

  /** The peer's host address, the key of per-source log limits. */
  static String host(Channel ch) {
    return PeerAddress.of(ch) instanceof java.net.InetSocketAddress inet
        ? inet.getHostString()
        : String.valueOf(PeerAddress.of(ch));
  }

  /** {@code "[client=c1] tunnel from /127.0.0.1:5555"}, or without the id before auth. */
  static String label(Channel tunnel) {
    String id = tunnel.attr(CLIENT_ID).get();
    return (id != null ? "[client=" + id + "] " : "") + "tunnel from " + PeerAddress.of(tunnel);
  }
}
