package dev.tlstunnel.server;

import dev.tlstunnel.proxyproto.Endpoints;
import dev.tlstunnel.proxyproto.InboundProxyProtocol;
import dev.tlstunnel.relay.HeldInput;
import dev.tlstunnel.transport.PeerAddress;
import dev.tlstunnel.transport.ReadAfterCloseGuard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * The pipeline of a connection accepted on a published port: admitted by the session's {@link
 * PublicConnectionGate} (or closed), its PROXY protocol header read when the server reads one from
 * its source, counted ({@link ConnectionMeter}), then handed to the {@link PublicConnectionHandler}
 * that opens its stream.
 */
@ChannelHandler.Sharable
final class PublicPortInitializer extends ChannelInitializer<Channel> {
  private final ServerSession session;
  private final String proxyName;
  private final InboundProxyProtocol proxyProtocol;

  PublicPortInitializer(
      ServerSession session, String proxyName, InboundProxyProtocol proxyProtocol) {
    this.session = session;
    this.proxyName = proxyName;
    this.proxyProtocol = proxyProtocol;
  }

  @Override
  protected void initChannel(Channel ch) {
    ReadAfterCloseGuard.install(ch);
    if (admits(ch)) {
      proxyProtocol.install(ch, endpoints -> admitted(ch, endpoints));
    }
  }

  /**
   * Whether {@code ch} may go on: this server serves in its cluster, the proxy's local service is
   * healthy and the gate's limits allow one more; else it is refused (closed) here.
   */
  private boolean admits(Channel ch) {
    ClusterNode cluster = session.cluster();
    if (cluster != null && !cluster.serving()) {
      cluster.refuse(ch, proxyName);
      return false;
    }
    if (!session.health().serving(proxyName)) {
      session.health().refuse(ch, proxyName);
      return false;
    }
    return session.gate().admit(ch, proxyName);
  }

  /**
   * Takes a connection another node of the cluster forwarded (a peer-link stream whose addresses
   * are set already): the same admission, metering and stream opening; the caller fires {@code
   * channelActive} through the pipeline when this returns true.
   */
  boolean adopt(Channel ch) {
    if (!admits(ch)) {
      return false;
    }
    admitted(ch, new Endpoints(null, null, false));
    return true;
  }

  private void admitted(Channel ch, Endpoints endpoints) {
    if (endpoints.fromHeader()) {
      PeerAddress.setProxied(ch, endpoints.source(), endpoints.destination());
    }
    session.trackPublicConnection(ch);
    ch.pipeline()
        .addLast("meter", new ConnectionMeter(session, proxyName, session.traffic(proxyName)));
    HeldInput.install(ch);
    ch.pipeline().addLast("open-stream", new PublicConnectionHandler(session, proxyName));
  }
}
