package dev.tlstunnel.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * Drops every read request that follows a close request, on io_uring channels.
 *
 * <p>Netty 4.2.18's io_uring channel defers a close while a write is in flight and cancels the
 * channel's polls once, when the close is asked for. A read request made before the deferred close
 * runs (an {@code SslHandler} asking for more input after its handshake failed, a handler's usual
 * read at read-complete) arms a new {@code POLLIN} poll that nothing cancels. That poll keeps a
 * reference to the socket after its descriptor is closed, so no FIN goes out until the peer sends
 * or closes: a silent peer keeps the connection {@code ESTABLISHED} for good. A read after a close
 * is never wanted, so dropping it here, at the head of the pipeline where every handler's requests
 * pass, keeps the poll from being armed.
 *
 * <p>The event loop groups {@link Transport#newGroup} makes for io_uring put one at the head of
 * every socket channel registered with them ({@link IoUringLoopGroup}), before any initializer
 * runs; the server's tunnel and public ports add one too, for event loops an embedding application
 * brought ({@link #install} adds none where one is already there).
 */
public final class ReadAfterCloseGuard extends ChannelOutboundHandlerAdapter {
  /** The name it has in a pipeline. */
  public static final String NAME = "read-after-close-guard";

  private boolean closing;

  /**
   * Adds a guard at the head of {@code ch}'s pipeline when {@code ch} is an io_uring socket channel
   * without one.
   */
  public static void install(Channel ch) {
    if (ch instanceof IoUringSocketChannel && ch.pipeline().get(NAME) == null) {
      ch.pipeline().addFirst(NAME, new ReadAfterCloseGuard());
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!closing) {
      ctx.read();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    closing = true;
    ctx.close(promise);
  }
}
