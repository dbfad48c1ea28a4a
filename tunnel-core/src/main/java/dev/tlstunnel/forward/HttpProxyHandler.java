package dev.tlstunnel.forward;

import dev.tlstunnel.egress.EgressException;
import dev.tlstunnel.egress.EgressFailure;
import dev.tlstunnel.relay.HeldInput;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The HTTP proxy front end, after Netty's {@link HttpServerCodec} (which bounds the request line
 * and headers by {@code max_request_head}): checks {@code Proxy-Authorization} when credentials are
 * set (407 otherwise), answers {@code CONNECT host:port} with {@code 200 Connection Established}
 * once the target is connected and then relays raw bytes, and hands absolute-URI requests to {@link
 * PlainHttpForwarder}. A target that cannot be reached gets 403 (refused by a rule or policy), 504
 * (timeout) or 502, with the reason in the body.
 *
 * <p>Once a {@code CONNECT} request is read, the codec's decoder goes (an encoder stays for the
 * answer): what the application sends behind the request, and its end of output, wait unparsed in a
 * {@link HeldInput} while the target is dialled and reach the target first.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
  static final String CODEC = "http-codec";

  private final Forwarder forwarder;
  private PlainHttpForwarder plain;

  /** A CONNECT request was read: bytes and the end of input belong to the relay. */
  private boolean tunneling;

  HttpProxyHandler(Forwarder forwarder) {
    this.forwarder = forwarder;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      onRequest(ctx, request);
    } else if (msg instanceof HttpContent content) {
      if (plain != null && !tunneling) {
        plain.onContent(content);
      } else {
        content.release(); // the empty end of a CONNECT request
      }
    } else if (msg instanceof ByteBuf && tunneling) {
      ctx.fireChannelRead(msg); // behind the CONNECT request: held for the relay
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      boolean tooLong = cause instanceof TooLongFrameException;
      forwarder.refused(ctx.channel(), "bad HTTP request: " + cause.getMessage());
      HttpResponses.sendAndClose(
          ctx,
          tooLong
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : HttpResponseStatus.BAD_REQUEST,
          tooLong ? "request head larger than max_request_head" : "malformed request");
      return;
    }
    Credentials credentials = forwarder.credentials(); // one read: a reload may replace them
    if (credentials != null
        && !credentials.matchesBasic(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION))) {
      forwarder.refused(ctx.channel(), "HTTP proxy authentication failed or missing");
      HttpResponses.sendProxyAuthRequired(ctx);
      return;
    }
    if (request.method() == HttpMethod.CONNECT) {
      onConnect(ctx, request.uri());
      return;
    }
    if (plain == null) {
      // A request head arrived in time: from now on only the idle timeout applies.
      ctx.pipeline().fireUserEventTriggered(ForwardHandlers.HANDSHAKE_DONE);
      plain = new PlainHttpForwarder(forwarder, ctx);
    }
    plain.onRequest(request);
  }

  private void onConnect(ChannelHandlerContext ctx, String authority) {
    Target target = Target.parseAuthority(authority, 443);
    if (target == null) {
      HttpResponses.sendAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "CONNECT needs host:port");
      return;
    }
    tunneling = true;
    HeldInput.install(ctx.channel());
    // What the decoder still holds comes out here as bytes, and no later byte is parsed as HTTP.
    ctx.pipeline().replace(CODEC, CODEC, new HttpResponseEncoder());
    forwarder
        .connector()
        .connect(ctx.channel().eventLoop(), target.host(), target.port())
        .addListener(
            f -> {
              if (f.isSuccess()) {
                onConnected(ctx, (Connector.Outcome) f.getNow());
              } else {
                onConnectFailed(ctx, target, f.cause());
              }
            });
  }

  private void onConnected(ChannelHandlerContext ctx, Connector.Outcome outcome) {
    forwarder.relay(
        ctx,
        outcome,
        () -> {
          ctx.writeAndFlush(
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection Established")));
        },
        CODEC);
  }

  private void onConnectFailed(ChannelHandlerContext ctx, Target target, Throwable cause) {
    forwarder.failed(ctx.channel(), target.host(), target.port(), cause);
    EgressFailure kind = cause instanceof EgressException e ? e.failure() : EgressFailure.FAILED;
    HttpResponses.sendAndClose(ctx, HttpResponses.status(kind), cause.getMessage());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && !tunneling) {
      // The application is done sending: finish the response in flight, if any, then close.
      if (plain == null || !plain.clientInputEnded()) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (plain != null) {
      plain.clientWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (plain != null) {
      plain.clientClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
