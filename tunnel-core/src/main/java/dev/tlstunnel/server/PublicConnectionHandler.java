package dev.tlstunnel.server;

import dev.tlstunnel.protocol.StreamHeader;
import dev.tlstunnel.protocol.StreamHeaderCodec;
import dev.tlstunnel.relay.HeldInput;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection accepted on a published port: opens a stream on the owning session, writes the
 * stream header, then relays. It is pending (see {@link PublicConnectionGate}) until the header has
 * left for the tunnel. Auto-read is off until the relay starts; if the stream cannot be opened the
 * public connection is closed.
 */
final class PublicConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(PublicConnectionHandler.class);

  private final ServerSession session;
  private final String proxyName;

  PublicConnectionHandler(ServerSession session, String proxyName) {
    this.session = session;
    this.proxyName = proxyName;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel inbound = ctx.channel();
    InetSocketAddress peer = (InetSocketAddress) PeerAddress.of(inbound);
    session
        .openStream(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream.config().setOption(ChannelOption.AUTO_READ, false);
              }
            })
        .addListener((Future<Channel> f) -> onStreamOpened(ctx, peer, f));
    ctx.fireChannelActive();
  }

  private void onStreamOpened(
      ChannelHandlerContext ctx, InetSocketAddress peer, Future<Channel> f) {
    Channel inbound = ctx.channel();
    if (!f.isSuccess()) {
      session.gate().settled(inbound);
      session
          .logs()
          .warn(
              log,
              "stream-open:" + session.clientId() + ":" + proxyName,
              "[client={}, proxy={}] cannot open a stream for {}: {}",
              session.clientId(),
              proxyName,
              peer,
              f.cause().getMessage());
      session
          .events()
          .publicConnectionRefused(session.clientId(), proxyName, peer, "stream_open_failed");
      inbound.close();
      return;
    }
    Channel stream = f.getNow();
    if (!inbound.isActive()) {
      stream.close();
      return;
    }
    InetSocketAddress reached = (InetSocketAddress) PeerAddress.destination(inbound);
    StreamHeader header =
        new StreamHeader(
            proxyName,
            peer.getAddress().getHostAddress(),
            peer.getPort(),
            reached.getAddress().getHostAddress(),
            reached.getPort());
    // Pending until the header has left for the tunnel: while the tunnel cannot take it (its
    // socket is full), the connection still counts towards max_pending_connects.
    stream
        .writeAndFlush(StreamHeaderCodec.encode(stream.alloc(), header))
        .addListener(w -> session.gate().settled(inbound));
    ctx.pipeline().remove(this);
    HeldInput.relay(inbound, stream);
  }

  /**
   * Until the relay takes over, a failing public connection (e.g. reset by its peer) just closes.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "[client={}, proxy={}] public connection {} failed before relaying: {}",
        session.clientId(),
        proxyName,
        ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }
}
