package dev.tlstunnel.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

/** Answers any HTTP/1.1 request with the decoy and closes (h2 ports reached without HTTP/2). */
final class DecoyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final Decoy decoy;

  DecoyHandler(Decoy decoy) {
    this.decoy = decoy;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    decoy.respond(ctx, HttpMethod.HEAD.equals(request.method()));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
