package dev.tlstunnel.mux;

import dev.tlstunnel.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
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
 * One yamux stream over a plaintext loopback TCP session (each side on its own event loop): the
 * frame codec, the session dispatch, the stream channels and the flow-control windows together,
 * without TLS. One operation is 1 MiB written on the client's stream and fully received by the
 * server's stream; the score in ops/s is MiB/s. {@code maxReceiveWindow} shows what window growth
 * is worth.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class YamuxStreamBenchmark {
  static final int CHUNK = 64 * 1024;
  static final int CHUNKS_PER_OP = 16;

  @Param({"262144", "8388608"})
  public int maxReceiveWindow;

  private EventLoopGroup clientLoop;
  private EventLoopGroup serverLoop;
  private Channel listener;
  private Channel clientParent;
  private Channel stream;
  private ByteBuf chunk;
  private final Semaphore received = new Semaphore(0);

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
    clientLoop = transport.newGroup(1, "bench-client");
    serverLoop = transport.newGroup(1, "bench-server");
    YamuxConfig config =
        new YamuxConfig(maxReceiveWindow, YamuxConfig.defaults().maxFramePayload(), 1024);
    ChannelHandler sink = new Sink();
    listener =
        new ServerBootstrap()
            .group(serverLoop)
            .channel(transport.serverChannelClass())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    YamuxMultiplexHandler.addTo(ch.pipeline(), config, false, sink);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    clientParent =
        new Bootstrap()
            .group(clientLoop)
            .channel(transport.socketChannelClass())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    YamuxMultiplexHandler.addTo(
                        ch.pipeline(), config, true, new ChannelInboundHandlerAdapter());
                  }
                })
            .connect(listener.localAddress())
            .sync()
            .channel();
    stream =
        YamuxMultiplexHandler.get(clientParent)
            .openStream(new ChannelInboundHandlerAdapter())
            .get(5, TimeUnit.SECONDS);
    chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK));
  }

  @TearDown
  public void tearDown() throws Exception {
    clientParent.close().sync();
    listener.close().sync();
    Transport.shutdown(clientLoop, 1).sync();
    Transport.shutdown(serverLoop, 1).sync();
  }

  @TearDown(Level.Iteration)
  public void drainPermits() {
    received.drainPermits();
  }

  @Benchmark
  public void transfer1MiB() throws Exception {
    for (int i = 0; i < CHUNKS_PER_OP; i++) {
      stream.write(chunk.duplicate());
    }
    stream.flush();
    if (!received.tryAcquire(CHUNKS_PER_OP, 10, TimeUnit.SECONDS)) {
      throw new TimeoutException("1 MiB did not arrive within 10 s");
    }
  }
}
