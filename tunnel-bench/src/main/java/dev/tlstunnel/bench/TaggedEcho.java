package dev.tlstunnel.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Echo services, one listener per tag on 127.0.0.1 (port 0): a connection first receives its
 * listener's 4-byte tag, then every byte it sends comes back. The tag proves that a public port
 * reached the service its proxy names, the echo that the bytes came through intact.
 */
final class TaggedEcho implements AutoCloseable {
  private final List<Channel> listeners = new ArrayList<>();

  /** Starts {@code count} listeners on {@code group}; listener {@code i} answers with tag i. */
  TaggedEcho(EventLoopGroup group, int count) {
    for (int i = 0; i < count; i++) {
      int tag = i;
      ServerBootstrap b =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new Echo(tag));
                    }
                  });
      listeners.add(b.bind("127.0.0.1", 0).syncUninterruptibly().channel());
    }
  }

  /** The port of the listener with {@code tag}. */
  int port(int tag) {
    return ((InetSocketAddress) listeners.get(tag).localAddress()).getPort();
  }

  @Override
  public void close() {
    for (Channel ch : listeners) {
      ch.close().syncUninterruptibly();
    }
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    private final int tag;

    Echo(int tag) {
      this.tag = tag;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ByteBuf head = ctx.alloc().buffer(4).writeInt(tag);
      ctx.writeAndFlush(head);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
