package dev.tlstunnel.server;

import static dev.tlstunnel.common.Errors.rootMessage;

import dev.tlstunnel.transport.PeerAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last handler of a tunnel connection: logs a failure once, with its peer, and closes. */
final class TunnelTailHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TunnelTailHandler.class);

  private final RateLimitedLog logs;
  private final long handshakeTimeoutMillis;

  TunnelTailHandler(RateLimitedLog logs, long handshakeTimeoutMillis) {
    this.logs = logs;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
      logs.warn(
          log,
          "tls:" + ServerContext.host(ctx.channel()),
          "TLS handshake with {} failed: {}",
          PeerAddress.of(ctx.channel()),
          HandshakeFailures.describe(done.cause(), handshakeTimeoutMillis));
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // I/O errors are routine; TLS errors were logged once with the handshake event.
    if (cause instanceof IOException || cause.getCause() instanceof SSLException) {
      log.debug("Tunnel connection {} failed: {}", PeerAddress.of(ctx.channel()), cause.toString());
    } else {
      log.warn(
          "Tunnel connection {} failed: {}", PeerAddress.of(ctx.channel()), rootMessage(cause));
    }
    ctx.close();
  }
}
