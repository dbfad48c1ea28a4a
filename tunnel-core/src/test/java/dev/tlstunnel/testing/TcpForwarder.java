package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on 127.0.0.1 for tests, put between a client and a server. {@link #stall()} makes
 * the connections open now stop forwarding while both of their sockets stay open (a half-open path:
 * bytes are read and dropped, no end of stream or close travels); connections accepted later
 * forward normally. One thread per direction.
 */
public final class TcpForwarder implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final InetAddress localBind;
  private final ExecutorService threads = Executors.newCachedThreadPool(EchoService.daemon());
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();

  public TcpForwarder(int targetPort) throws IOException {
    this(targetPort, null);
  }

  /**
   * A forwarder whose outgoing connections come from {@code localBind} (another loopback address
   * such as 127.0.0.5, to play a distinct source), or from any address when null.
   */
  public TcpForwarder(int targetPort, InetAddress localBind) throws IOException {
    this.targetPort = targetPort;
    this.localBind = localBind;
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Stops forwarding on every connection open now, keeping its sockets open. */
  public void stall() {
    links.forEach(l -> l.stalled = true);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        accepted.incrementAndGet();
        Socket out = new Socket();
        try {
          if (localBind != null) {
            out.bind(new InetSocketAddress(localBind, 0));
          }
          out.connect(new InetSocketAddress("127.0.0.1", targetPort), 5_000);
        } catch (IOException e) {
          in.close();
          continue;
        }
        Link link = new Link(in, out);
        links.add(link);
        threads.execute(() -> pump(link, in, out));
        threads.execute(() -> pump(link, out, in));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Link link, Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (!link.stalled) {
          out.write(buf, 0, n);
        }
      }
      if (!link.stalled) {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      if (!link.stalled) {
        link.close();
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    links.forEach(Link::close);
    threads.shutdownNow();
  }

  private static final class Link {
    final Socket a;
    final Socket b;
    volatile boolean stalled;

    Link(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void close() {
      try {
        a.close();
        b.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
