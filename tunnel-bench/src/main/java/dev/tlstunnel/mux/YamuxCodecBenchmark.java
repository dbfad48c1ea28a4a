package dev.tlstunnel.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The yamux frame codec alone, in an {@link EmbeddedChannel}: encoding data frames (header buffer
 * plus the payload passed on without a copy) and decoding a buffer of back-to-back data frames into
 * retained slices. One operation is one frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class YamuxCodecBenchmark {
  private static final int FRAMES = 64;

  @Param({"1024", "16384", "65536"})
  public int payloadSize;

  private EmbeddedChannel encoder;
  private EmbeddedChannel decoder;
  private ByteBuf payload;
  private ByteBuf wire;

  @Setup
  public void setup() {
    encoder = new EmbeddedChannel(YamuxFrameEncoder.INSTANCE);
    decoder = new EmbeddedChannel(new YamuxFrameDecoder(YamuxConfig.defaults().maxReceiveWindow()));
    payload = Unpooled.directBuffer(payloadSize).writeZero(payloadSize);
    wire = Unpooled.directBuffer(FRAMES * (YamuxFrame.HEADER_SIZE + payloadSize));
    for (int i = 0; i < FRAMES; i++) {
      wire.writeByte(YamuxFrame.VERSION)
          .writeByte(YamuxFrame.TYPE_DATA)
          .writeShort(0)
          .writeInt(1)
          .writeInt(payloadSize)
          .writeBytes(payload, 0, payloadSize);
    }
  }

  @TearDown
  public void tearDown() {
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
    payload.release();
    wire.release();
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public void encodeDataFrame(Blackhole bh) {
    for (int i = 0; i < FRAMES; i++) {
      encoder.write(YamuxFrame.data(0, 1, payload.retainedDuplicate()));
    }
    encoder.flush();
    drain(encoder, true, bh);
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public void decodeDataFrame(Blackhole bh) {
    decoder.writeInbound(wire.retainedDuplicate());
    drain(decoder, false, bh);
  }

  private static void drain(EmbeddedChannel ch, boolean outbound, Blackhole bh) {
    Object msg;
    while ((msg = outbound ? ch.readOutbound() : ch.readInbound()) != null) {
      bh.consume(msg);
      ReferenceCountUtil.release(msg);
    }
  }
}
