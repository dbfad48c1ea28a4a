package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder on 127.0.0.1 that delays every byte by a fixed time in each direction, like a
 * long link: a round trip through it takes twice the delay more than one on loopback. What it read
 * waits in memory until it is due (the link's bandwidth is not limited). Two threads per direction.
 */
public final class DelayLink implements AutoCloseable {
  private static final byte[] END = new byte[0];

  private final ServerSocket server;
  private final int targetPort;
  private final long delayNanos;
  private final ExecutorService threads = Executors.newCachedThreadPool(EchoService.daemon());
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  /** Forwards to 127.0.0.1:targetPort with {@code delayMillis} each way. */
  public DelayLink(int targetPort, long delayMillis) throws IOException {
    this.targetPort = targetPort;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        Socket out = new Socket();
        out.connect(new InetSocketAddress("127.0.0.1", targetPort), 5_000);
        in.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
        sockets.add(in);
        sockets.add(out);
        direction(in, out);
        direction(out, in);
      } catch (IOException e) {
        return;
      }
    }
  }

  private record Chunk(long dueNanos, byte[] bytes) {}

  private void direction(Socket from, Socket to) {
    LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    threads.execute(
        () -> {
          byte[] buf = new byte[64 * 1024];
          try {
            InputStream in = from.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
              queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
            }
          } catch (IOException e) {
            // closed: forward the end below
          }
          queue.add(new Chunk(System.nanoTime() + delayNanos, END));
        });
    threads.execute(
        () -> {
          try {
            OutputStream out = to.getOutputStream();
            while (true) {
              Chunk c = queue.take();
              long wait = c.dueNanos() - System.nanoTime();
              if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
              }
              if (c.bytes() == END) {
                to.shutdownOutput();
                return;
              }
              out.write(c.bytes());
            }
          } catch (IOException | InterruptedException e) {
            closeQuietly(from);
            closeQuietly(to);
          }
        });
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(DelayLink::closeQuietly);
    threads.shutdownNow();
  }
}
