package dev.tlstunnel.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A real HTTP server on loopback that receives webhooks: keeps every request (headers and body),
 * answers with the status {@code codes} gives for the n-th request, or holds every request until
 * closed ({@link #hang()}).
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One POST as received. */
  public record Request(String event, String signature, String contentType, String body) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Request> requests = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile IntSupplier codes = () -> 200;
  private volatile boolean hanging;

  public WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/hook", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** The URL to configure. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  /** Answers each request with the next status of {@code next}. */
  public WebhookReceiver answering(IntSupplier next) {
    this.codes = next;
    return this;
  }

  /** Holds every later request without answering until {@link #close()}. */
  public void hang() {
    hanging = true;
  }

  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    synchronized (this) {
      requests.add(
          new Request(
              exchange.getRequestHeaders().getFirst("X-Tls-Tunnel-Event"),
              exchange.getRequestHeaders().getFirst("X-Tls-Tunnel-Signature"),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              body));
    }
    if (hanging) {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] answer = "ok".getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(codes.getAsInt(), answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
