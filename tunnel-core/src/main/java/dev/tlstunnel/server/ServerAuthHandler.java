package dev.tlstunnel.server;

import dev.tlstunnel.Version;
import dev.tlstunnel.config.Durations;
import dev.tlstunnel.protocol.AuthResult;
import dev.tlstunnel.protocol.ClientHello;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.Protocol;
import dev.tlstunnel.relay.Channels;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the client's hello on the control stream, checks the key in constant time (the previous
 * key too, within its rotation window) and, on success, creates the session, replaces itself with
 * the control handler and tells the tunnel pipeline. Anything else first, or a wrong key, ends the
 * connection.
 */
final class ServerAuthHandler extends SimpleChannelInboundHandler<ControlMessage> {
  private static final Logger log = LoggerFactory.getLogger(ServerAuthHandler.class);

  private final ServerContext context;
  private final Channel tunnel;

  ServerAuthHandler(ServerContext context, Channel tunnel) {
    this.context = context;
    this.tunnel = tunnel;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ControlMessage msg) {
    if (msg instanceof ControlMessage.Unknown unknown) {
      // A newer client's message this version does not know: ignored, as the protocol says.
      log.debug("Ignoring a message of unknown type '{}' before client_hello", unknown.type());
      return;
    }
    if (!(msg instanceof ClientHello hello)) {
      context.logs.warn(
          log,
          "out-of-order:" + sourceOf(tunnel),
          "Closing connection from {}: expected client_hello, got {}",
          PeerAddress.of(tunnel),
          msg.getClass().getSimpleName());
      tunnel.close();
      return;
    }
    if (hello.protocolVersion() != Protocol.VERSION) {
      refuse(
          ctx,
          hello,
          "unsupported protocol version "
              + hello.protocolVersion()
              + " (server speaks "
              + Protocol.VERSION
              + ")",
          AuthResult.UNSUPPORTED_PROTOCOL,
          "");
      return;
    }
    AuthKeyRing.Match key = context.keys.match(hello.authKey());
    if (key == AuthKeyRing.Match.NONE) {
      long penalty = context.admission.authFailed(tunnel);
      refuse(
          ctx,
          hello,
          "authentication failed: invalid auth key",
          AuthResult.INVALID_AUTH_KEY,
          "; refusing new connections from this address for " + penalty + " ms");
      return;
    }
    String clientId =
        hello.clientId() == null || hello.clientId().isBlank()
            ? ServerSession.ANONYMOUS
            : hello.clientId();
    if (key == AuthKeyRing.Match.PREVIOUS) {
      context.logs.warn(
          log,
          "previous-key:" + clientId,
          "Client '{}' from {} authenticated with the previous auth key, accepted for another {}"
              + " (key_rotation_window); give it the new key",
          clientId,
          PeerAddress.of(tunnel),
          Durations.format(context.keys.previousLeft().truncatedTo(ChronoUnit.SECONDS)));
    }
    context.admission.authenticated(tunnel);
    ServerSession session =
        new ServerSession(
            context,
            tunnel,
            ctx.channel(),
            clientId,
            hello.softwareVersion(),
            hello.handoverFrom());
    ctx.pipeline().replace(this, "control", new ServerControlHandler(session));
    ctx.writeAndFlush(new AuthResult(true, null, Version.VERSION));
    tunnel.pipeline().fireUserEventTriggered(SessionAuthenticated.INSTANCE);
    session.start();
  }

  private void refuse(
      ChannelHandlerContext ctx, ClientHello hello, String reason, String code, String note) {
    context.logs.warn(
        log,
        "auth:" + ServerContext.host(tunnel),
        "Refused client '{}' from {}: {}{}",
        hello.clientId(),
        PeerAddress.of(tunnel),
        reason,
        note);
    ctx.writeAndFlush(new AuthResult(false, reason, Version.VERSION, code))
        .addListener(f -> Channels.closeOnFlush(tunnel));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tunnel.close();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    context.logs.warn(
        log,
        "malformed:" + sourceOf(tunnel),
        "Closing connection from {}: {}",
        PeerAddress.of(tunnel),
        cause.getMessage());
    tunnel.close();
  }

  /** The peer's IP address, the key of per-source rate-limited log lines. */
  private static String sourceOf(Channel channel) {
    return PeerAddress.of(channel) instanceof java.net.InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress()
        : String.valueOf(PeerAddress.of(channel));
  }
}
