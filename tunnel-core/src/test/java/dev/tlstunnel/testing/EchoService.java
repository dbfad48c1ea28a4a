package dev.tlstunnel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking echo service on 127.0.0.1: echoes every byte until the peer ends its output, then ends
 * its own output and closes. One thread per connection; for tests.
 */
public final class EchoService implements AutoCloseable {
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();

  public EchoService() throws IOException {
    server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        accepted.incrementAndGet();
        open.add(socket);
        threads.execute(() -> echo(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void echo(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      socket.shutdownOutput();
    } catch (IOException e) {
      // the peer went away: nothing to echo to
    } finally {
      open.remove(socket);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }

  static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "echo-service");
      t.setDaemon(true);
      return t;
    };
  }
}
