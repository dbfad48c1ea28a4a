package dev.tlstunnel.client;

import dev.tlstunnel.Version;
import dev.tlstunnel.config.LoadBalancing;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.AuthResult;
import dev.tlstunnel.protocol.BindRetrySpec;
import dev.tlstunnel.protocol.ClientHello;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.GroupSpec;
import dev.tlstunnel.protocol.GroupStatus;
import dev.tlstunnel.protocol.Heartbeat;
import dev.tlstunnel.protocol.Protocol;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxySpec;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import dev.tlstunnel.protocol.RegisterProxies;
import dev.tlstunnel.protocol.RetryProxyResult;
import dev.tlstunnel.protocol.SessionReplaced;
import dev.tlstunnel.protocol.VisitNonce;
import dev.tlstunnel.visitor.Visitors;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's control stream: says hello, registers the proxies once authenticated, feeds
 * registration results and status updates to the tracker, and answers heartbeats (liveness is
 * checked with yamux pings by the tunnel's keepalive handler).
 */
final class ClientControlHandler extends SimpleChannelInboundHandler<ControlMessage> {
  private static final Logger log = LoggerFactory.getLogger(ClientControlHandler.class);

  /** What the handler reports to and reads from its session. */
  interface Session {
    /** The proxy states of the client, which registration results and status updates feed. */
    ProxyStateTracker tracker();

    /** The server accepted the key. */
    void connected(String serverVersion);

    /** The server refused this client. */
    void authFailed(AuthResult result);

    /** The control stream closed: the session ends with it. */
    void controlClosed();

    /** The server is about to close this session: another with the same client id replaced it. */
    void replaced(SessionReplaced notice);

    /**
     * The client id of a live session this one takes over gracefully (a reload that reconnects), or
     * null.
     */
    default String handoverFrom() {
      return null;
    }

    /** The control stream of the authenticated session, for the messages of a reload. */
    default void controlStream(io.netty.channel.Channel control) {}

    /** The server this session dialed ({@code host:port}). */
    default String serverName() {
      return null;
    }

    /** The server answered a proxy registration; by default the tracker hears it. */
    default void onRegistrationResult(ProxyRegistrationResult result) {
      tracker().onRegistrationResult(result);
    }
  }

  private final ClientContext context;
  private final Session session;

  ClientControlHandler(ClientContext context, Session session) {
    this.context = context;
    this.session = session;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(
        new ClientHello(
            Protocol.VERSION,
            context.config().authKey(),
            context.config().clientId(),
            Version.VERSION,
            session.handoverFrom()));
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ControlMessage msg) {
    if (msg instanceof AuthResult auth) {
      onAuthResult(ctx, auth);
    } else if (msg instanceof ProxyRegistrationResult result) {
      session.onRegistrationResult(result);
    } else if (msg instanceof ProxyStatusUpdate update) {
      session.tracker().onStatusUpdate(update);
    } else if (msg instanceof GroupStatus group) {
      session.tracker().onGroupStatus(group);
    } else if (msg instanceof SessionReplaced notice) {
      session.replaced(notice);
    } else if (msg instanceof RetryProxyResult result) {
      context.retries().onResult(result);
    } else if (msg instanceof VisitNonce nonce) {
      context.visitors().onSession(ctx.channel().parent(), nonce.nonce());
    } else if (msg instanceof Heartbeat beat) {
      if (!beat.reply()) {
        ctx.writeAndFlush(new Heartbeat(beat.timestampMillis(), true));
      }
    } else {
      log.debug("Ignoring {}", msg);
    }
  }

  private void onAuthResult(ChannelHandlerContext ctx, AuthResult auth) {
    if (!auth.ok()) {
      session.authFailed(auth);
      return;
    }
    log.info(
        "Connected to server {} as '{}' (server version {})",
        session.serverName() != null ? session.serverName() : context.config().server(),
        context.config().clientId(),
        auth.serverVersion());
    session.controlStream(ctx.channel());
    session.connected(auth.serverVersion());
    context.retries().attach(ctx.channel());
    List<ProxySpec> specs =
        session.tracker().configs().stream()
            .map(p -> spec(p, context.config().clientId(), false))
            .toList();
    ctx.writeAndFlush(new RegisterProxies(specs));
    context.health().attach(ctx.channel());
  }

  /**
   * What the server is asked to publish for {@code p} of client {@code clientId}; {@code replace}
   * for a reload's change.
   */
  static ProxySpec spec(ProxyConfig p, String clientId, boolean replace) {
    if (p.isPrivate()) {
      return new ProxySpec(
          p.name(),
          null,
          0,
          p.proxyType().configName(),
          null,
          Visitors.access(p, clientId),
          null,
          replace ? Boolean.TRUE : null);
    }
    BindRetrySpec retry =
        p.bindRetry() == null
            ? null
            : new BindRetrySpec(
                p.bindRetry().maxRetries(),
                p.bindRetry().initialDelay().toMillis(),
                p.bindRetry().maxDelay().toMillis());
    LoadBalancing lb = p.loadBalancing();
    GroupSpec group =
        lb == null
            ? null
            : new GroupSpec(lb.group(), lb.groupKey(), lb.strategy().configName(), lb.priority());
    return new ProxySpec(
        p.name(),
        p.publishAddr(),
        p.publishPort(),
        p.proxyType().configName(),
        retry,
        null,
        group,
        replace ? Boolean.TRUE : null);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    context.retries().detach(ctx.channel());
    context.health().detach(ctx.channel());
    session.controlClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("Control stream failed: {}", cause.getMessage());
    ctx.close();
  }
}
