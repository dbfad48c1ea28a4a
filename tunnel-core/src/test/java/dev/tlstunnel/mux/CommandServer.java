package dev.tlstunnel.mux;

import dev.tlstunnel.mux.MuxTestHandlers.Collector;
import dev.tlstunnel.mux.MuxTestHandlers.Echo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import java.util.Random;
import java.util.concurrent.BlockingQueue;

/**
 * Java side of the interop command protocol for streams the Go client opens: {@code 'E'} echoes;
 * {@code 'G'} plus a 4-byte size sends the SHA-256 and that many bytes, then FIN, and records the
 * text the peer sends back after that FIN in {@link #afterFin}.
 */
final class CommandServer extends ChannelInboundHandlerAdapter {
  private final BlockingQueue<String> afterFin;
  private ByteBuf head = Unpooled.buffer(5);

  CommandServer(BlockingQueue<String> afterFin) {
    this.afterFin = afterFin;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    head.writeBytes(in, Math.min(in.readableBytes(), head.writableBytes()));
    if (head.readableBytes() >= 1 && head.getByte(0) == 'E') {
      switchTo(ctx, Echo.INSTANCE, in);
    } else if (head.readableBytes() == 5 && head.getByte(0) == 'G') {
      int size = head.getInt(1);
      Collector reply = new Collector();
      reply.fin.thenRun(() -> afterFin.add(reply.text()));
      switchTo(ctx, reply, in);
      sendGenerated(ctx, size);
    } else if (head.readableBytes() >= 1 && head.getByte(0) != 'G') {
      in.release();
      ctx.close();
    } else {
      in.release();
    }
  }

  private void switchTo(
      ChannelHandlerContext ctx, ChannelInboundHandlerAdapter next, ByteBuf rest) {
    head.skipBytes(1);
    ByteBuf remaining = Unpooled.wrappedBuffer(head, rest);
    head = Unpooled.EMPTY_BUFFER;
    ctx.pipeline().addAfter(ctx.name(), null, next);
    ctx.pipeline().remove(this);
    if (next instanceof Collector) {
      remaining.skipBytes(Math.min(4, remaining.readableBytes()));
    }
    if (remaining.isReadable()) {
      ctx.fireChannelRead(remaining);
    } else {
      remaining.release();
    }
  }

  private static void sendGenerated(ChannelHandlerContext ctx, int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    ctx.write(Unpooled.wrappedBuffer(MuxTestHandlers.sha256().digest(data)));
    ctx.writeAndFlush(Unpooled.wrappedBuffer(data));
    ((DuplexChannel) ctx.channel()).shutdownOutput();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    head.release();
  }
}
