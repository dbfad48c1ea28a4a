package dev.tlstunnel.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * The pipeline of a connection accepted on a published port: admitted by the session's {@link
 * PublicConnectionGate} (or closed), counted ({@link ConnectionMeter}), then handed to the {@link
 * PublicConnectionHandler} that opens its stream.
 */
@ChannelHandler.Sharable
final class PublicPortInitializer extends ChannelInitializer<Channel> {
  private final ServerSession session;
  private final String proxyName;

  PublicPortInitializer(ServerSession session, String proxyName) {
    this.session = session;
    this.proxyName = proxyName;
  }

  @Override
  protected void initChannel(Channel ch) {
    if (!session.gate().admit(ch, proxyName)) {
      return;
    }
    session.trackPublicConnection(ch);
    ch.pipeline()
        .addLast("meter", new ConnectionMeter(session, proxyName, session.traffic(proxyName)));
    ch.pipeline().addLast("open-stream", new PublicConnectionHandler(session, proxyName));
  }
}
