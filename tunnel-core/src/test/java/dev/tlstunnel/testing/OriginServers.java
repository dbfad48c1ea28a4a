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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small origin HTTP (and HTTPS) server on one loopback address, answering {@code /} with its
 * name, {@code /headers} with the request headers it got, and {@code /blob} with {@value
 * #BLOB_BYTES} seeded bytes ({@link #blobSha256()}).
 */
public final class OriginServers implements AutoCloseable {
  public static final int BLOB_BYTES = 64 << 20;
  private static final long SEED = 13;

  private final HttpServer http;
  private final HttpsServer https;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);

  public OriginServers(String address, String name, TestPki.CertFiles pki) throws IOException {
    http = HttpServer.create(new InetSocketAddress(address, 0), 50);
    https = HttpsServer.create(new InetSocketAddress(address, 0), 50);
    JdkSslContext tls =
        (JdkSslContext)
            SslContextBuilder.forServer(pki.cert().toFile(), pki.key().toFile())
                .sslProvider(SslProvider.JDK)
                .build();
    https.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
    for (HttpServer s : new HttpServer[] {http, https}) {
      s.createContext("/", ex -> reply(ex, name));
      s.createContext("/headers", ex -> reply(ex, headers(ex)));
      s.createContext("/blob", OriginServers::blob);
      s.setExecutor(threads);
      s.start();
    }
  }

  public int httpPort() {
    return http.getAddress().getPort();
  }

  public int httpsPort() {
    return https.getAddress().getPort();
  }

  private static String headers(HttpExchange ex) {
    StringBuilder b = new StringBuilder(ex.getRequestMethod() + " " + ex.getRequestURI() + "\n");
    ex.getRequestHeaders()
        .forEach(
            (k, v) ->
                b.append(k.toLowerCase(java.util.Locale.ROOT))
                    .append(": ")
                    .append(String.join(",", v))
                    .append('\n'));
    return b.toString();
  }

  private static void reply(HttpExchange ex, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void blob(HttpExchange ex) throws IOException {
    ex.sendResponseHeaders(200, BLOB_BYTES);
    Random random = new Random(SEED);
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = ex.getResponseBody()) {
      for (int sent = 0; sent < BLOB_BYTES; sent += chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
  }

  /** The SHA-256 of {@code /blob}, hex. */
  public static String blobSha256() throws NoSuchAlgorithmException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Random random = new Random(SEED);
    byte[] chunk = new byte[64 * 1024];
    for (int sent = 0; sent < BLOB_BYTES; sent += chunk.length) {
      random.nextBytes(chunk);
      sha.update(chunk);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Override
  public void close() {
    http.stop(0);
    https.stop(0);
    threads.shutdownNow();
  }
}
