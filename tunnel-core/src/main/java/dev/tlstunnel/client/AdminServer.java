package dev.tlstunnel.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import java.util.function.Supplier;

/** Placeholder: the admin HTTP API (written separately). */
final class AdminServer implements AutoCloseable {
  static AdminServer start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      Supplier<ClientStatus> status)
      throws InterruptedException {
    throw new UnsupportedOperationException("not yet");
  }

  int port() {
    return 0;
  }

  @Override
  public void close() {}
}
