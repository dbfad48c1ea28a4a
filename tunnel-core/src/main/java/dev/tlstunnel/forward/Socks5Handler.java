package dev.tlstunnel.forward;

import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.socksx.SocksMessage;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;

/**
 * The SOCKS5 front end (RFC 1928, user/password auth of RFC 1929), on Netty's SOCKS codec: method
 * choice, optional authentication, then {@code CONNECT} to an IPv4, IPv6 or domain-name target
 * (names go to the route unresolved). {@code BIND} and {@code UDP ASSOCIATE} are answered "command
 * not supported". Failures get their reply code: not allowed by ruleset, host or network
 * unreachable, connection refused, general failure. Bytes sent behind the {@code CONNECT} command
 * (optimistic data), and the end of input, wait in a {@link HeldInput} while the target is dialled
 * and reach it first.
 */
final class Socks5Handler extends SimpleChannelInboundHandler<SocksMessage> {
  /** The first decoder; each later one goes right after the one before it, before this handler. */
  static final String DECODER = "socks-init";

  static final String ENCODER = "socks-encoder";
  private static final String AUTH_DECODER = "socks-auth";
  private static final String COMMAND_DECODER = "socks-command";

  private final Forwarder forwarder;
  private Credentials credentials;

  /** A CONNECT command was read: bytes and the end of input belong to the relay. */
  private boolean tunneling;

  Socks5Handler(Forwarder forwarder) {
    this.forwarder = forwarder;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, SocksMessage msg) {
    if (msg.decoderResult().isFailure()) {
      ctx.close();
    } else if (msg instanceof Socks5InitialRequest init) {
      onInitial(ctx, init);
    } else if (msg instanceof Socks5PasswordAuthRequest auth) {
      onAuth(ctx, auth);
    } else if (msg instanceof Socks5CommandRequest command) {
      onCommand(ctx, command);
    } else {
      ctx.close();
    }
  }

  private void onInitial(ChannelHandlerContext ctx, Socks5InitialRequest init) {
    credentials = forwarder.credentials(); // kept for this connection: a reload may replace them
    Socks5AuthMethod wanted =
        credentials == null ? Socks5AuthMethod.NO_AUTH : Socks5AuthMethod.PASSWORD;
    if (!init.authMethods().contains(wanted)) {
      ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
          .addListener(ChannelFutureListener.CLOSE);
      forwarder.refused(ctx.channel(), "SOCKS5 client offered no acceptable authentication method");
      return;
    }
    // A decoder that is done passes the bytes behind its message on, also those of a client that
    // sent the next message without waiting for our answer: the next decoder goes after it.
    if (wanted == Socks5AuthMethod.PASSWORD) {
      ctx.pipeline().addBefore(ctx.name(), AUTH_DECODER, new Socks5PasswordAuthRequestDecoder());
    } else {
      ctx.pipeline().addBefore(ctx.name(), COMMAND_DECODER, new Socks5CommandRequestDecoder());
    }
    ctx.writeAndFlush(new DefaultSocks5InitialResponse(wanted));
    ctx.read();
  }

  private void onAuth(ChannelHandlerContext ctx, Socks5PasswordAuthRequest auth) {
    if (credentials == null || !credentials.matches(auth.username(), auth.password())) {
      ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
          .addListener(ChannelFutureListener.CLOSE);
      forwarder.refused(ctx.channel(), "SOCKS5 authentication failed");
      return;
    }
    ctx.pipeline().addBefore(ctx.name(), COMMAND_DECODER, new Socks5CommandRequestDecoder());
    ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
    ctx.read();
  }

  private void onCommand(ChannelHandlerContext ctx, Socks5CommandRequest request) {
    if (request.type() != Socks5CommandType.CONNECT) {
      reply(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED, request.dstAddrType())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String host = request.dstAddr();
    int port = request.dstPort();
    tunneling = true;
    HeldInput.install(ctx.channel());
    forwarder
        .connector()
        .connect(ctx.channel().eventLoop(), host, port)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                onConnected(ctx, ((Connector.Outcome) f.getNow()));
              } else {
                onFailed(ctx, host, port, f.cause());
              }
            });
  }

  private void onConnected(ChannelHandlerContext ctx, Connector.Outcome outcome) {
    forwarder.relay(
        ctx,
        outcome,
        () -> reply(ctx, Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4),
        ENCODER,
        COMMAND_DECODER,
        AUTH_DECODER,
        DECODER);
  }

  private void onFailed(ChannelHandlerContext ctx, String host, int port, Throwable cause) {
    EgressFailure kind = cause instanceof EgressException e ? e.failure() : EgressFailure.FAILED;
    forwarder.failed(ctx.channel(), host, port, cause);
    reply(ctx, status(kind, cause.getMessage()), Socks5AddressType.IPv4)
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** The SOCKS5 reply code for a failure. */
  static Socks5CommandStatus status(EgressFailure kind, String message) {
    return switch (kind) {
      case NOT_ALLOWED -> Socks5CommandStatus.FORBIDDEN;
      case REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
      case DNS_FAILED, TIMEOUT -> Socks5CommandStatus.HOST_UNREACHABLE;
      case UNREACHABLE ->
          message != null && message.toLowerCase(java.util.Locale.ROOT).contains("network")
              ? Socks5CommandStatus.NETWORK_UNREACHABLE
              : Socks5CommandStatus.HOST_UNREACHABLE;
      case TUNNEL_UNAVAILABLE, FAILED -> Socks5CommandStatus.FAILURE;
    };
  }

  private static io.netty.channel.ChannelFuture reply(
      ChannelHandlerContext ctx, Socks5CommandStatus status, Socks5AddressType type) {
    Socks5AddressType t = type == Socks5AddressType.IPv6 ? type : Socks5AddressType.IPv4;
    String zero = t == Socks5AddressType.IPv6 ? "::" : "0.0.0.0";
    return ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, t, zero, 0));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && !tunneling) {
      ctx.close(); // the application left before the handshake was done
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
