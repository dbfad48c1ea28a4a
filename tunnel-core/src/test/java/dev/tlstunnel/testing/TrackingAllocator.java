package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can check right after
 * closing a channel that all of them were released: deterministic, for the one input that leaked,
 * where Netty's leak detector reports later, at a garbage collection, without saying which input.
 * Single-threaded (embedded channels).
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
  private final List<ByteBuf> allocated = new ArrayList<>();

  public TrackingAllocator() {
    super(false);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return remember(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return remember(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
  }

  private ByteBuf remember(ByteBuf buf) {
    allocated.add(buf);
    return buf;
  }

  /** Fails if a buffer this allocator handed out is still referenced. */
  public void assertAllReleased() {
    List<String> live = new ArrayList<>();
    for (ByteBuf buf : allocated) {
      if (buf.refCnt() > 0) {
        live.add(buf.capacity() + " bytes, refCnt " + buf.refCnt());
      }
    }
    assertThat(live).as("buffers not released").isEmpty();
  }
}
