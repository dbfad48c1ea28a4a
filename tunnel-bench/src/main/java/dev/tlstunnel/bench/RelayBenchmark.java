package dev.tlstunnel.bench;

import dev.tlstunnel.client.BenchMeters;
import dev.tlstunnel.metrics.Traffic;
import dev.tlstunnel.relay.Relay;
import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay loop of {@link Relay#link}: per-message cost between two embedded channels, and bytes
 * through a real loopback pair (source socket, relayed pair on one event loop, sink socket). With
 * {@code counters=metered}, both relayed channels carry the byte counter the tunnel puts on its
 * connections (the client's {@code LocalMeter}; the server's {@code ConnectionMeter} does the same
 * work), so the two runs side by side give the counters' cost.
 */
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RelayBenchmark {

  /** Two embedded channels linked by the relay. One operation is one 16 KiB buffer relayed. */
  @State(Scope.Thread)
  public static class Embedded {
    @Param({"plain", "metered"})
    public String counters;

    EmbeddedChannel a;
    EmbeddedChannel b;
    ByteBuf buf;

    @Setup
    public void setup() {
      a = new EmbeddedChannel();
      b = new EmbeddedChannel();
      if (counters.equals("metered")) {
        Traffic traffic = new Traffic(true);
        a.pipeline().addLast(BenchMeters.meter(traffic, System.nanoTime()));
        b.pipeline().addLast(BenchMeters.meter(traffic, System.nanoTime()));
      }
      a.config().setAutoRead(false);
      b.config().setAutoRead(false);
      Relay.link(a, b);
      buf = Unpooled.directBuffer(16384).writeZero(16384);
    }

    @TearDown
    public void tearDown() {
      a.finishAndReleaseAll();
      b.finishAndReleaseAll();
      buf.release();
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Object embedded(Embedded s) {
    s.a.writeInbound(s.buf.retainedDuplicate());
    ByteBuf out = s.b.readOutbound();
    out.release();
    return out;
  }

  /**
   * Source socket to a relay listener; the accepted channel is linked to a connection to the sink.
   * One operation is 1 MiB from the source fully received by the sink; ops/s is MiB/s.
   */
  @State(Scope.Benchmark)
  public static class Loopback {
    static final int CHUNK = 64 * 1024;
    static final int CHUNKS_PER_OP = 16;

    @Param({"plain", "metered"})
    public String counters;

    EventLoopGroup relayLoop;
    EventLoopGroup endsLoop;
    Channel sinkListener;
    Channel relayListener;
    Channel source;
    ByteBuf chunk;
    final Semaphore received = new Semaphore(0);

    @Sharable
    final class Sink extends ChannelInboundHandlerAdapter {
      private long bytes;

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        bytes += buf.readableBytes();
        buf.release();
        while (bytes >= CHUNK) {
          bytes -= CHUNK;
          received.release();
        }
      }
    }

    @Setup
    public void setup() throws Exception {
      Transport transport = Transport.best();
      relayLoop = transport.newGroup(1, "bench-relay");
      endsLoop = transport.newGroup(1, "bench-ends");
      Sink sink = new Sink();
      sinkListener =
          new ServerBootstrap()
              .group(endsLoop)
              .channel(transport.serverChannelClass())
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(sink)
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      relayListener =
          new ServerBootstrap()
              .group(relayLoop)
              .channel(transport.serverChannelClass())
              .childOption(ChannelOption.AUTO_READ, false)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .childHandler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                      Channel inbound = ctx.channel();
                      Traffic traffic = counters.equals("metered") ? new Traffic(true) : null;
                      if (traffic != null) {
                        inbound.pipeline().addLast(BenchMeters.meter(traffic, System.nanoTime()));
                      }
                      ChannelFuture connect =
                          new Bootstrap()
                              .group(inbound.eventLoop())
                              .channel(transport.socketChannelClass())
                              .option(ChannelOption.AUTO_READ, false)
                              .option(ChannelOption.TCP_NODELAY, true)
                              .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                              .handler(new ChannelInboundHandlerAdapter())
                              .connect(sinkListener.localAddress());
                      connect.addListener(
                          f -> {
                            if (f.isSuccess()) {
                              if (traffic != null) {
                                connect
                                    .channel()
                                    .pipeline()
                                    .addLast(BenchMeters.meter(traffic, System.nanoTime()));
                              }
                              Relay.link(inbound, connect.channel());
                            } else {
                              inbound.close();
                            }
                          });
                      ctx.fireChannelActive();
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      source =
          new Bootstrap()
              .group(endsLoop)
              .channel(transport.socketChannelClass())
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(new ChannelInboundHandlerAdapter())
              .connect(relayListener.localAddress())
              .sync()
              .channel();
      chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK));
    }

    @TearDown
    public void tearDown() throws Exception {
      source.close().sync();
      relayListener.close().sync();
      sinkListener.close().sync();
      Transport.shutdown(relayLoop, 1).sync();
      Transport.shutdown(endsLoop, 1).sync();
    }

    @TearDown(Level.Iteration)
    public void drainPermits() {
      received.drainPermits();
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void loopback1MiB(Loopback s) throws Exception {
    for (int i = 0; i < Loopback.CHUNKS_PER_OP; i++) {
      s.source.write(s.chunk.duplicate());
    }
    s.source.flush();
    if (!s.received.tryAcquire(Loopback.CHUNKS_PER_OP, 10, TimeUnit.SECONDS)) {
      throw new TimeoutException("1 MiB did not arrive within 10 s");
    }
  }
}
