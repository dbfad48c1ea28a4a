package dev.tlstunnel.client;

import dev.tlstunnel.relay.DeadPeerHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of the client's tunnel connection: hands a keepalive timeout to the session (it
 * becomes the session's last error), logs a failure once and closes.
 */
final class ClientTailHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientTailHandler.class);

  private final Consumer<DeadPeerHandler.PeerSilent> onSilence;

  ClientTailHandler(Consumer<DeadPeerHandler.PeerSilent> onSilence) {
    this.onSilence = onSilence;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof DeadPeerHandler.PeerSilent silent) {
      onSilence.accept(silent);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("Tunnel connection failed: {}", cause.toString());
    ctx.close();
  }
}
