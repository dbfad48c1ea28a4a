package dev.tlstunnel.visitor;

import dev.tlstunnel.VisitorState;
import dev.tlstunnel.bind.Listeners;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.VisitorConfig;
import dev.tlstunnel.protocol.PrivateAccess;
import dev.tlstunnel.protocol.VisitProof;
import dev.tlstunnel.relay.HeldInput;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything about visitors of one client: its {@code [[visitors]]} (local listeners whose
 * connections reach other clients' private proxies through the server) and the visitors connected
 * to its own private proxies. The listeners bind at start, each on its own with retries, and keep
 * listening whether or not the tunnel is up; a connection made while there is no session is closed
 * at once. Runs on the client's event loop.
 */
public final class Visitors implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Visitors.class);

  /** The tunnel visits go through, with its nonce and the next sequence number. */
  static final class Session {
    final Channel tunnel;
    final String nonce;
    private long seq;

    Session(Channel tunnel, String nonce) {
      this.tunnel = tunnel;
      this.nonce = nonce;
    }

    /** The next sequence number of this session (from 1); event loop only. */
    long nextSeq() {
      return ++seq;
    }
  }

  private final List<Visitor> visitors;
  private final String clientId;
  private final Transport transport;
  private final ConnectedVisitors connected = new ConnectedVisitors();
  private volatile Session session;
  private volatile Refusals refusals = (visitor, target, reason, message) -> {};

  /** Told when a visitor's connections start being refused for a new reason (event loop). */
  public interface Refusals {
    void refused(String visitor, String target, String reason, String message);
  }

  public Visitors(List<VisitorConfig> configs, String clientId, Transport transport, Clock clock) {
    this.visitors =
        configs.stream()
            .map(
                c ->
                    new Visitor(
                        c,
                        clock,
                        (reason, message) ->
                            refusals.refused(c.name(), c.target(), reason, message)))
            .toList();
    this.clientId = clientId;
    this.transport = transport;
  }

  /**
   * The private part of a proxy's registration: who may visit, and the key proofs are checked with.
   */
  public static PrivateAccess access(ProxyConfig proxy, String clientId) {
    String target = clientId + "/" + proxy.name();
    return new PrivateAccess(
        proxy.privateAccess().allowedVisitors(),
        VisitProof.visitorKey(proxy.privateAccess().secret(), target));
  }

  /** Where refusals are reported, once per new reason of each visitor (as they are logged). */
  public void onRefused(Refusals to) {
    this.refusals = to;
  }

  /** Binds every visitor's local listener on {@code loop}. */
  public void start(EventLoop loop) {
    for (Visitor v : visitors) {
      v.start(loop, address -> bootstrap(loop, v).bind(address));
    }
  }

  private ServerBootstrap bootstrap(EventLoop loop, Visitor visitor) {
    return Listeners.forRelay(
        loop,
        transport.serverChannelClass(),
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            HeldInput.install(ch);
            ch.pipeline().addLast(new VisitorConnection(Visitors.this, visitor));
          }
        });
  }

  /**
   * The server sent this session's {@code visit_nonce}: visits go through {@code tunnel} until it
   * closes.
   */
  public void onSession(Channel tunnel, String nonce) {
    if (!VisitProof.isHex32(nonce)) {
      log.warn("Ignoring a visit_nonce that is not 64 hex digits; visitors cannot connect");
      return;
    }
    Session s = new Session(tunnel, nonce);
    session = s;
    tunnel
        .closeFuture()
        .addListener(
            f -> {
              if (session == s) {
                session = null;
              }
            });
  }

  /** The session visits go through, or null when there is none. */
  Session session() {
    return session;
  }

  String clientId() {
    return clientId;
  }

  /** Who is connected to this client's private proxies. */
  public ConnectedVisitors connected() {
    return connected;
  }

  /** Every visitor's latest state, in configuration order. */
  public List<VisitorState> snapshot() {
    return visitors.stream().map(Visitor::state).toList();
  }

  /** Closes every local listener (open connections close with the tunnel). */
  @Override
  public void close() {
    visitors.forEach(Visitor::close);
  }
}
