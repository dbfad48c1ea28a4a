package dev.tlstunnel.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one visit costs beyond a public connection, per side: the visitor computes its proof and
 * encodes the request; the server decodes the request and checks the proof; one reply each way.
 * Average time per operation, in microseconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VisitRequestBenchmark {
  private static final String TARGET = "office/ssh";
  private static final String NONCE = "5a".repeat(32);
  private final String key = VisitProof.visitorKey("visitor-secret-0123456789", TARGET);
  private final byte[][] requests = new byte[1024][];
  private long seq;
  private int next;

  /** The visitor: proof and framed request. */
  @Benchmark
  public int visitorSide() {
    seq++;
    String proof = VisitProof.proof(key, NONCE, seq, TARGET, "laptop");
    ByteBuf request =
        StreamRequests.encode(ByteBufAllocator.DEFAULT, new VisitRequest(TARGET, seq, proof));
    int size = request.readableBytes();
    request.release();
    return size;
  }

  /** Requests made beforehand, so that the server side measures only its own work. */
  @Setup
  public void prepare() {
    for (int i = 0; i < requests.length; i++) {
      String proof = VisitProof.proof(key, NONCE, i + 1, TARGET, "laptop");
      ByteBuf framed =
          StreamRequests.encode(ByteBufAllocator.DEFAULT, new VisitRequest(TARGET, i + 1, proof));
      requests[i] = ByteBufUtil.getBytes(framed, 2, framed.readableBytes() - 2);
      framed.release();
    }
  }

  /** The server: decode the request, check its proof, encode the reply. */
  @Benchmark
  public boolean serverSide() {
    byte[] body = requests[next++ & (requests.length - 1)];
    VisitRequest decoded =
        (VisitRequest) StreamRequests.decodeRequest(Unpooled.wrappedBuffer(body));
    boolean ok = VisitProof.matches(key, NONCE, decoded.seq(), TARGET, "laptop", decoded.proof());
    ByteBuf reply = StreamRequests.encode(ByteBufAllocator.DEFAULT, StreamReply.accepted());
    reply.release();
    return ok;
  }
}
