package dev.tlstunnel.visitor;

import static dev.tlstunnel.common.Errors.rootMessage;

import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.protocol.StreamRequests;
import dev.tlstunnel.protocol.VisitProof;
import dev.tlstunnel.protocol.VisitRequest;
import dev.tlstunnel.relay.HeldInput;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;

/**
 * A connection accepted on a visitor's local listener: opens a stream to the server, sends the
 * visit request with its proof, and relays at once (the server holds the first bytes until the
 * target's stream is open). The server's reply is read first ({@link VisitReplyHandler}); a refusal
 * closes the local connection. Without a session the connection is closed at once.
 */
final class VisitorConnection extends ChannelInboundHandlerAdapter {
  private final Visitors visitors;
  private final Visitor visitor;

  VisitorConnection(Visitors visitors, Visitor visitor) {
    this.visitors = visitors;
    this.visitor = visitor;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel local = ctx.channel();
    visitor.opened(local);
    Visitors.Session session = visitors.session();
    YamuxMultiplexHandler mux = session == null ? null : YamuxMultiplexHandler.get(session.tunnel);
    if (mux == null || !session.tunnel.isActive()) {
      visitor.refused("not_connected", "not connected to the server (not_connected)");
      local.close();
      return;
    }
    String target = visitor.config().target();
    long seq = session.nextSeq();
    String proof =
        VisitProof.proof(visitor.visitorKey(), session.nonce, seq, target, visitors.clientId());
    mux.openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream.config().setOption(ChannelOption.AUTO_READ, false);
                stream.pipeline().addLast("reply", StreamRequests.replyDecoder());
                stream.pipeline().addLast("visit", new VisitReplyHandler(visitor, local));
              }
            })
        .addListener((Future<Channel> f) -> onStream(ctx, f, new VisitRequest(target, seq, proof)));
    ctx.fireChannelActive();
  }

  private void onStream(ChannelHandlerContext ctx, Future<Channel> f, VisitRequest request) {
    Channel local = ctx.channel();
    if (!f.isSuccess()) {
      visitor.refused("stream", "cannot open a stream to the server: " + rootMessage(f.cause()));
      local.close();
      return;
    }
    Channel stream = f.getNow();
    if (!local.isActive()) {
      stream.close();
      return;
    }
    stream.writeAndFlush(StreamRequests.encode(stream.alloc(), request));
    ctx.pipeline().remove(this);
    HeldInput.relay(local, stream);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
