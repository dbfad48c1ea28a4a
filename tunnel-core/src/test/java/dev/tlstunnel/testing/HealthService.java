package dev.tlstunnel.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP (or HTTPS) service on 127.0.0.1 whose {@code /health} answers as the test switches
 * it: {@code 200 ok}, {@code 500 broken}, or no answer at all ({@link Mode#HANG}). Every other path
 * answers {@code 200 served}. It counts the requests of each kind.
 */
public final class HealthService implements AutoCloseable {
  /** How {@code /health} answers. */
  public enum Mode {
    OK,
    FAIL,
    /** Fails every other request, starting with the next one. */
    ALTERNATE,
    HANG
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicInteger healthRequests = new AtomicInteger();
  private final AtomicInteger otherRequests = new AtomicInteger();
  private final AtomicInteger alternations = new AtomicInteger();
  private volatile Mode mode = Mode.OK;
  private volatile String lastProbeHeader;

  private HealthService(HttpServer server) {
    this.server = server;
    server.createContext("/health", this::health);
    server.createContext(
        "/",
        ex -> {
          otherRequests.incrementAndGet();
          reply(ex, 200, "served");
        });
    server.setExecutor(threads);
    server.start();
  }

  /** A plain HTTP service. */
  public static HealthService http() throws IOException {
    return new HealthService(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50));
  }

  /** An HTTPS service with {@code pki}'s (self-signed) certificate. */
  public static HealthService https(TestPki.CertFiles pki) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    JdkSslContext tls =
        (JdkSslContext)
            SslContextBuilder.forServer(pki.cert().toFile(), pki.key().toFile())
                .sslProvider(SslProvider.JDK)
                .build();
    s.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
    return new HealthService(s);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void mode(Mode next) {
    this.mode = next;
  }

  /** Requests of {@code /health} so far. */
  public int healthRequests() {
    return healthRequests.get();
  }

  /** Requests of any other path so far. */
  public int otherRequests() {
    return otherRequests.get();
  }

  /** The {@code X-Probe} header of the last {@code /health} request, or null. */
  public String lastProbeHeader() {
    return lastProbeHeader;
  }

  private void health(HttpExchange ex) throws IOException {
    healthRequests.incrementAndGet();
    lastProbeHeader = ex.getRequestHeaders().getFirst("X-Probe");
    switch (mode) {
      case OK -> reply(ex, 200, "ok");
      case FAIL -> reply(ex, 500, "broken");
      case ALTERNATE -> {
        boolean fail = alternations.getAndIncrement() % 2 == 0;
        reply(ex, fail ? 500 : 200, fail ? "broken" : "ok");
      }
      case HANG -> {
        try {
          released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
      }
    }
  }

  private static void reply(HttpExchange ex, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
