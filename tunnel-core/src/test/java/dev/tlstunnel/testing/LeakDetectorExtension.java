package dev.tlstunnel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's leak detector reports a leak during or right after it. The detector
 * logs leaks when it notices collected, unreleased buffers at a later allocation; after each test
 * this forces a GC and a few allocations so reports surface, and checks the captured log.
 */
public final class LeakDetectorExtension implements BeforeEachCallback, AfterEachCallback {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @Override
  public void beforeEach(ExtensionContext context) {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    appender.list.clear();
    appender.start();
    detectorLogger().addAppender(appender);
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    try {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(20); // lets the reference handler enqueue collected buffers; not a wait on I/O
        for (int j = 0; j < 8; j++) {
          ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
          ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
          a.release();
          b.release();
        }
      }
      List<String> leaks =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(m -> m.contains("LEAK"))
              .collect(Collectors.toList());
      assertThat(leaks).as("leak reports").isEmpty();
    } finally {
      detectorLogger().detachAppender(appender);
      appender.stop();
    }
  }

  private static Logger detectorLogger() {
    return (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
  }
}
