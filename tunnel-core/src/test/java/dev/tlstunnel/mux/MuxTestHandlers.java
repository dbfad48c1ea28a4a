package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Stream handlers used by the multiplexing and interop tests. */
final class MuxTestHandlers {
  private MuxTestHandlers() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Echoes every byte; echoes the FIN after the data; stops reading while not writable. */
  @Sharable
  static final class Echo extends ChannelInboundHandlerAdapter {
    static final Echo INSTANCE = new Echo();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt == ChannelInputShutdownEvent.INSTANCE) {
        ctx.flush();
        ((DuplexChannel) ctx.channel()).shutdownOutput();
      }
    }
  }

  /** Collects everything received; completes when the peer's FIN arrives. */
  static final class Collector extends ChannelInboundHandlerAdapter {
    final CompletableFuture<byte[]> fin = new CompletableFuture<>();
    final List<Object> events = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream small = new ByteArrayOutputStream();
    private final MessageDigest digest = sha256();
    volatile long bytes;
    volatile Channel channel;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      bytes += buf.readableBytes();
      digest.update(buf.nioBuffer());
      if (small.size() < 4096) {
        byte[] b = new byte[Math.min(buf.readableBytes(), 4096)];
        buf.getBytes(buf.readerIndex(), b);
        small.writeBytes(b);
      }
      buf.release();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
      if (evt == ChannelInputShutdownEvent.INSTANCE) {
        fin.complete(digest.digest());
      }
    }

    /** The first bytes received, as text. */
    String text() {
      return small.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    boolean sawInputShutdownInOrder() {
      int a = events.indexOf(ChannelInputShutdownEvent.INSTANCE);
      int b = events.indexOf(ChannelInputShutdownReadComplete.INSTANCE);
      return a >= 0 && b == a + 1;
    }
  }

  /** Writes a byte array honouring writability, then shuts the output down (FIN). */
  static final class Sender extends ChannelInboundHandlerAdapter {
    private final byte[] data;
    private final int chunk;
    private int offset;
    private ChannelHandlerContext ctx;

    Sender(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    /** Starts sending; call from any thread once the channel is registered. */
    void start() {
      ctx.executor().execute(this::pump);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      pump();
      ctx.fireChannelWritabilityChanged();
    }

    private void pump() {
      boolean wrote = false;
      while (offset < data.length && ctx.channel().isWritable()) {
        int n = Math.min(chunk, data.length - offset);
        ctx.write(Unpooled.wrappedBuffer(data, offset, n));
        offset += n;
        wrote = true;
      }
      if (wrote) {
        ctx.flush();
      }
      if (offset == data.length) {
        offset++;
        ((DuplexChannel) ctx.channel()).shutdownOutput();
      }
    }
  }
}
