package dev.tlstunnel.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** The demo's local service: a tiny HTTP server on loopback that greets and counts requests. */
final class DemoHttpService implements AutoCloseable {
  static final String GREETING =
      "Hello from tls-tunnel demo: you reached the local service through the tunnel";

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong requests = new AtomicLong();

  private DemoHttpService(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts on 127.0.0.1 with a free port. */
  static DemoHttpService start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread thread = new Thread(task, "demo-http");
              thread.setDaemon(true);
              return thread;
            });
    DemoHttpService service = new DemoHttpService(server, executor);
    server.createContext("/", service::handle);
    server.setExecutor(executor);
    server.start();
    return service;
  }

  /** The bound port. */
  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long count = requests.incrementAndGet();
      byte[] body = (GREETING + " (request #" + count + ")\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
