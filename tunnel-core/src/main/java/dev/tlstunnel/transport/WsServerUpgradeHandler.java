package dev.tlstunnel.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;

/**
 * The server's side of the wss upgrade. Upgrades only a {@code GET} of the configured path that
 * asks for a WebSocket with the {@value #SUBPROTOCOL} subprotocol; every other request gets the
 * {@link Decoy} and the connection closes (the setup tail's deadline bounds the wait for it). On
 * the upgrade it notes the forwarded client address, puts {@link WsFrameAdapter} in its own place
 * and runs {@code ready}.
 */
final class WsServerUpgradeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** The {@code Sec-WebSocket-Protocol} token of the tunnel. */
  static final String SUBPROTOCOL = "tls-tunnel";

  private final String path;
  private final Decoy decoy;
  private final ForwardedFor forwardedFor;
  private final ViolationLog violations;
  private final Runnable ready;

  WsServerUpgradeHandler(
      String path,
      Decoy decoy,
      ForwardedFor forwardedFor,
      ViolationLog violations,
      Runnable ready) {
    this.path = path;
    this.decoy = decoy;
    this.forwardedFor = forwardedFor;
    this.violations = violations;
    this.ready = ready;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    WebSocketServerHandshaker handshaker = isTunnel(request) ? handshaker(request) : null;
    if (handshaker == null) {
      decoy.respond(ctx, HttpMethod.HEAD.equals(request.method()));
      return;
    }
    InetSocketAddress client =
        forwardedFor.client(
            Sockets.address(ctx.channel()),
            request.headers().getAll("X-Forwarded-For"),
            request.headers().getAll("Forwarded"));
    if (client != null) {
      PeerAddress.setForwarded(ctx.channel(), client);
    }
    handshaker
        .handshake(ctx.channel(), request)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ctx.channel().close();
              }
            });
    ctx.pipeline().addAfter(ctx.name(), "ws", new WsFrameAdapter(null, violations));
    ctx.pipeline().remove(this);
    ready.run();
  }

  private boolean isTunnel(FullHttpRequest request) {
    HttpHeaders h = request.headers();
    String uri = request.uri();
    int query = uri.indexOf('?');
    return request.decoderResult().isSuccess()
        && HttpMethod.GET.equals(request.method())
        && (query < 0 ? uri : uri.substring(0, query)).equals(path)
        && h.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && h.containsValue(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL, true);
  }

  private static WebSocketServerHandshaker handshaker(FullHttpRequest request) {
    WebSocketDecoderConfig frames =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(WsFrameAdapter.MAX_MESSAGE)
            .expectMaskedFrames(true)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            .closeOnProtocolViolation(true)
            .build();
    return new WebSocketServerHandshakerFactory("ws://tunnel" + request.uri(), SUBPROTOCOL, frames)
        .newHandshaker(request);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
