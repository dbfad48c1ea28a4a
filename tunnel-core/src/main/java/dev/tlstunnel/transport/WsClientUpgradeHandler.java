package dev.tlstunnel.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.util.concurrent.Promise;
import java.time.Duration;

/**
 * The client's side of the wss upgrade: sends the request once the connection is up (and TLS done,
 * which the TLS handler takes care of by holding writes), checks the {@code 101} answer and its
 * subprotocol with Netty's handshaker, then puts {@link WsFrameAdapter} in its place and completes
 * {@code ready}.
 */
final class WsClientUpgradeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
  private final WebSocketClientHandshaker handshaker;
  private final String what;
  private final Duration pingInterval;
  private final ViolationLog violations;
  private final Promise<Void> ready;

  WsClientUpgradeHandler(
      WebSocketClientHandshaker handshaker,
      String what,
      Duration pingInterval,
      ViolationLog violations,
      Promise<Void> ready) {
    this.handshaker = handshaker;
    this.what = what;
    this.pingInterval = pingInterval;
    this.violations = violations;
    this.ready = ready;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshaker
        .handshake(ctx.channel())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
              }
            });
    ctx.fireChannelActive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
    try {
      handshaker.finishHandshake(ctx.channel(), response.retain());
    } catch (WebSocketClientHandshakeException e) {
      ready.tryFailure(
          new TransportException(
              "the WebSocket upgrade at "
                  + what
                  + " failed: server answered "
                  + response.status()
                  + "; check that the server's transport is wss and its path is the same",
              e));
      ctx.close();
      return;
    } finally {
      response.release();
    }
    ctx.pipeline().addAfter(ctx.name(), "ws", new WsFrameAdapter(pingInterval, violations));
    ctx.pipeline().remove(this);
    ready.trySuccess(null);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ready.tryFailure(cause);
    ctx.close();
  }
}
