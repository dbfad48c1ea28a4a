package dev.tlstunnel.server;

import dev.tlstunnel.protocol.StreamHeader;
import dev.tlstunnel.protocol.StreamHeaderDecoder;
import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream another node of the cluster opened on its peer link: one public connection it took for a
 * proxy of a client whose session is here. Its {@link StreamHeader} names the proxy and the public
 * peer's address; the stream then goes through the proxy's admission, metering and stream opening
 * as a connection accepted here would ({@link PublicPortInitializer#adopt}).
 */
final class PeerStreamHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  /** Sets up every stream a peer opens. */
  @ChannelHandler.Sharable
  static final class Initializer extends ChannelInitializer<Channel> {
    private final ServerContext context;

    Initializer(ServerContext context) {
      this.context = context;
    }

    @Override
    protected void initChannel(Channel stream) {
      stream.config().setOption(ChannelOption.AUTO_READ, false);
      stream.pipeline().addLast("header", new StreamHeaderDecoder());
      stream.pipeline().addLast("peer-stream", new PeerStreamHandler(context));
      stream.read();
    }
  }

  private final ServerContext context;

  private PeerStreamHandler(ServerContext context) {
    this.context = context;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof StreamHeader header)) {
      io.netty.util.ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    Channel stream = ctx.channel();
    ServerSession session = context.registry.holder(header.proxyName());
    ClusterNode node = context.cluster;
    if (session == null || node == null || !node.serving()) {
      if (node != null) {
        node.metrics()
            .peerStreamRefused(
                session == null ? ClusterMetrics.NO_SESSION : ClusterMetrics.NOT_SERVING);
      }
      log.debug(
          "Peer stream for proxy '{}' refused: {}",
          header.proxyName(),
          session == null ? "no session here holds it" : "not serving");
      ctx.close();
      return;
    }
    PeerAddress.setProxied(
        stream,
        new InetSocketAddress(header.peerAddr(), header.peerPort()),
        header.destAddr() == null
            ? new InetSocketAddress(0)
            : new InetSocketAddress(header.destAddr(), header.destPort()));
    node.metrics().peerStreams.increment();
    ctx.pipeline().remove(this);
    if (new PublicPortInitializer(session, header.proxyName(), context.proxyProtocol)
        .adopt(stream)) {
      // the bytes behind the header wait in the stream's HeldInput until the client's stream is
      // open
      stream.pipeline().fireChannelActive();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Peer stream failed before relaying: {}", cause.toString());
    ctx.close();
  }
}
