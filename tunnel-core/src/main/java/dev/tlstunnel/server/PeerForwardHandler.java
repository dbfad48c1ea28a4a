package dev.tlstunnel.server;

import dev.tlstunnel.cluster.Claim;
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
 * A public connection that landed on a node not holding the client's session: opens a stream on the
 * peer link to the node that holds it, writes the {@link StreamHeader} (the proxy, the real peer
 * and the address it reached), then relays. When the link or stream cannot be had the public
 * connection closes.
 */
final class PeerForwardHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.Cluster");

  private final PeerLinks links;
  private final ClusterNode node;
  private final Claim claim;

  PeerForwardHandler(PeerLinks links, ClusterNode node, Claim claim) {
    this.links = links;
    this.node = node;
    this.claim = claim;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    Channel inbound = ctx.channel();
    String peerAddr = node.peerAddr(claim.node());
    if (!node.serving()) {
      node.metrics().forwardFailed(ClusterMetrics.NOT_SERVING);
      node.refuse(inbound, claim.proxyName());
      return;
    }
    if (peerAddr == null) {
      node.metrics().forwardFailed(ClusterMetrics.NOT_MEMBER);
      log.warn(
          "[client={}, proxy={}] dropping connection from {}: node '{}' holding it is {}",
          claim.client(),
          claim.proxyName(),
          PeerAddress.of(inbound),
          claim.node(),
          "not a member");
      inbound.close();
      return;
    }
    links
        .openStream(
            claim.node(),
            peerAddr,
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel stream) {
                stream.config().setOption(ChannelOption.AUTO_READ, false);
              }
            })
        .addListener((Future<Channel> f) -> opened(ctx, peerAddr, f));
  }

  private void opened(ChannelHandlerContext ctx, String peerAddr, Future<Channel> f) {
    Channel inbound = ctx.channel();
    if (!f.isSuccess()) {
      node.metrics().forwardFailed(ClusterMetrics.UNREACHABLE);
      log.warn(
          "[client={}, proxy={}] cannot reach node '{}' at {} for {}: {}",
          claim.client(),
          claim.proxyName(),
          claim.node(),
          peerAddr,
          PeerAddress.of(inbound),
          f.cause().getMessage());
      inbound.close();
      return;
    }
    Channel stream = f.getNow();
    if (!inbound.isActive()) {
      stream.close();
      return;
    }
    InetSocketAddress peer = (InetSocketAddress) PeerAddress.of(inbound);
    InetSocketAddress reached = (InetSocketAddress) PeerAddress.destination(inbound);
    stream.writeAndFlush(
        StreamHeaderCodec.encode(
            stream.alloc(),
            new StreamHeader(
                claim.proxyName(),
                peer.getAddress().getHostAddress(),
                peer.getPort(),
                reached.getAddress().getHostAddress(),
                reached.getPort())));
    node.metrics().forwarded.increment();
    ctx.pipeline().remove(this);
    HeldInput.relay(inbound, stream);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Public connection {} failed before relaying: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
