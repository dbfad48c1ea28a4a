package dev.tlstunnel.server;

import dev.tlstunnel.bind.ProxyListener;
import dev.tlstunnel.protocol.ClientHello;
import dev.tlstunnel.protocol.ControlMessage;
import dev.tlstunnel.protocol.Heartbeat;
import dev.tlstunnel.protocol.ProxyHealth;
import dev.tlstunnel.protocol.RegisterProxies;
import dev.tlstunnel.protocol.RetryProxy;
import dev.tlstunnel.protocol.RetryProxyResult;
import dev.tlstunnel.protocol.UnregisterProxies;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control stream of an authenticated session: proxy registration (and the changes a client's
 * reload makes), retry requests and heartbeats. Unknown message types are ignored; the session ends
 * with the control stream.
 */
final class ServerControlHandler extends SimpleChannelInboundHandler<ControlMessage> {
  private static final Logger log = LoggerFactory.getLogger(ServerControlHandler.class);

  private final ServerSession session;

  ServerControlHandler(ServerSession session) {
    this.session = session;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ControlMessage msg) {
    if (msg instanceof RegisterProxies register) {
      session.register(register.proxies());
    } else if (msg instanceof UnregisterProxies unregister) {
      session.unregister(unregister.names());
    } else if (msg instanceof Heartbeat beat) {
      if (!beat.reply()) {
        ctx.writeAndFlush(new Heartbeat(beat.timestampMillis(), true));
      }
    } else if (msg instanceof ProxyHealth health) {
      session.health().report(health);
    } else if (msg instanceof RetryProxy retry) {
      ctx.writeAndFlush(retry(retry.proxyName()));
    } else if (msg instanceof ClientHello) {
      log.warn("[client={}] ignoring a second client_hello", session.clientId());
    } else {
      log.debug("[client={}] ignoring {}", session.clientId(), msg);
    }
  }

  /** Restarts the bind schedule of a proxy that gave up, or says why not. */
  private RetryProxyResult retry(String proxyName) {
    ProxyListener listener = proxyName == null ? null : session.listener(proxyName);
    if (listener == null) {
      return new RetryProxyResult(
          proxyName, false, "this client has no proxy '" + proxyName + "' on the server");
    }
    String refusal = listener.restart();
    return new RetryProxyResult(proxyName, refusal == null, refusal);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    session.close();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("[client={}] control stream failed: {}", session.clientId(), cause.getMessage());
    session.close();
  }
}
