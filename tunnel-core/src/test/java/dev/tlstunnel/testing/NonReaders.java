package dev.tlstunnel.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Public connections that push to an echo service through the tunnel and never read the echo, each
 * with a thread that writes up to 64 MiB in 64 KiB chunks. Flow control must stall them once every
 * window and buffer on the way is full.
 */
public final class NonReaders implements AutoCloseable {
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicLong pushed = new AtomicLong();

  /** Opens {@code count} non-readers to {@code port} and starts them pushing. */
  public NonReaders(int port, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      sockets.add(start(Streams.connect(port, 10_000)));
    }
  }

  /** Bytes written so far, over all of them. */
  public long pushed() {
    return pushed.get();
  }

  /**
   * Waits until no bytes were written for three seconds (twelve polls 250 ms apart: on a loaded
   * machine the pipeline can pause for a second without being stalled), at most {@code limit};
   * returns the bytes pushed by then.
   */
  public long awaitStalled(Duration limit) {
    long[] last = {-1};
    int[] quiet = {0};
    await()
        .atMost(limit)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              long now = pushed.get();
              quiet[0] = now == last[0] && now > 0 ? quiet[0] + 1 : 0;
              last[0] = now;
              return quiet[0] >= 12;
            });
    return pushed.get();
  }

  @Override
  public void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  private Socket start(Socket s) {
    Thread pusher =
        new Thread(
            () -> {
              byte[] chunk = new byte[64 * 1024];
              try {
                for (int i = 0; i < 1024; i++) {
                  s.getOutputStream().write(chunk);
                  pushed.addAndGet(chunk.length);
                }
              } catch (IOException e) {
                // closed while blocked in write: the end of the test
              }
            },
            "never-reads");
    pusher.setDaemon(true);
    pusher.start();
    return s;
  }
}
