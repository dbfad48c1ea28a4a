package dev.tlstunnel.client;

import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/** Connects a proxy's local service for a stream, on the stream's event loop. */
interface LocalDialer {
  /**
   * Starts connecting {@code proxy}'s local service on {@code stream}'s event loop; the channel has
   * auto-read off and half-closure on, and nothing in its pipeline yet.
   */
  ChannelFuture dial(Channel stream, ProxyConfig proxy);

  /** The dialer for a reloaded configuration ({@code local_connect_timeout}); by default this. */
  default LocalDialer reconfigured(ClientConfig next) {
    return this;
  }

  /** The dialer of real sockets, with the configured connect timeout. */
  static LocalDialer sockets(ClientConfig config, Transport transport) {
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.localConnectTimeout().toMillis());
    return new SocketDialer(transport, timeoutMillis);
  }
}
