package dev.tlstunnel.transport;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The socket peer's address of a channel. */
final class Sockets {
  private Sockets() {}

  /** The peer's IP address, or null when it has none (embedded channels). */
  static InetAddress address(Channel ch) {
    return ch.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
