package dev.tlstunnel.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards what its channel reads to the peer channel. Reads again only while the peer is writable
 * (auto-read is off); when the peer becomes writable again it resumes its own channel's partner.
 * End of input is forwarded as a shutdown of the peer's output (or as its close, when the peer is a
 * socket whose input has ended too); the pair closes when both directions are done or either side
 * fails. Once one side has closed, the other discards what it reads and closes as soon as what it
 * has to write has gone out.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);

  private final Channel peer;
  private boolean inputShutdown;

  RelayHandler(Channel peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!peer.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    // A failed write reaches the peer's relay handler as an exception, which closes both.
    peer.write(msg, peer.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
    if (peer.isWritable() && !inputShutdown) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // Our channel drained: the peer may read again.
    if (ctx.channel().isWritable()) {
      RelayHandler partner = (RelayHandler) peer.pipeline().get(Relay.HANDLER_NAME);
      if (partner != null && !partner.inputShutdown) {
        peer.read();
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
      shutdownPeerOutput(ctx.channel());
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void shutdownPeerOutput(Channel self) {
    if (peer instanceof DuplexChannel duplex && peer.isActive()) {
      // shutdownOutput() fails writes still queued: shut down only once they have gone out.
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER)
          .addListener(
              written -> {
                if (!written.isSuccess() || endedBothWays(self)) {
                  self.close();
                  peer.close();
                  return;
                }
                duplex
                    .shutdownOutput()
                    .addListener(
                        f -> {
                          if (!f.isSuccess() || bothDirectionsDone(self)) {
                            self.close();
                            peer.close();
                          } else if (peer instanceof SocketChannel socket) {
                            closeAtEndOfInput(socket);
                          }
                        });
              });
    } else {
      // The peer is gone (or cannot half-close): what we still have to write goes out first.
      Channels.closeOnFlush(peer);
      Channels.closeOnFlush(self);
    }
  }

  /**
   * A socket whose output is shut down is done once its input ends as well: the transport then
   * closes it at the end of its input instead of shutting its input down first (a system call that
   * fails once the far side's FIN has closed the connection, which Netty's native transports turn
   * into an exception with its stack trace). The relay sees the close, and ends the other side with
   * what it still has to write, as it would after the input shut down.
   */
  private static void closeAtEndOfInput(SocketChannel socket) {
    socket.config().setAllowHalfClosure(false);
  }

  /**
   * Whether the peer is a socket whose own input has ended too, with everything for it written:
   * then closing it sends the FIN a shutdown of its output would, and a shutdown first would only
   * cost a system call (and Netty an exception with its stack trace for the write queue).
   */
  private boolean endedBothWays(Channel self) {
    return peer instanceof SocketChannel && bothDirectionsDone(self);
  }

  private boolean bothDirectionsDone(Channel self) {
    RelayHandler partner = (RelayHandler) peer.pipeline().get(Relay.HANDLER_NAME);
    return partner == null || partner.inputShutdown;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Nothing takes what the peer reads from now on: let it read and drop it (channelRead releases
    // it), so that its far side is not held up behind a full window while what the peer still has
    // to write drains before it closes.
    peer.config().setAutoRead(true);
    Channels.closeOnFlush(peer);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Relay {} <-> {} failed", ctx.channel(), peer, cause);
    ctx.close();
    Channels.closeOnFlush(peer);
  }
}
