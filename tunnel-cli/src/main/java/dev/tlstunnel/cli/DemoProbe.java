package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientExit;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.TunnelClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The demo's checks: a free port, waiting for the proxy to be healthy, the proof fetch. */
final class DemoProbe {
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 100;

  private DemoProbe() {}

  /** A port free on 127.0.0.1 right now (bound to port 0, then closed). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  /** Polls {@code client.status()} until {@code proxy} is healthy; fails fast when it cannot be. */
  static void awaitHealthy(TunnelClient client, String proxy, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<ClientExit> exit = client.exit();
    ProxyState last = null;
    while (System.nanoTime() < deadline) {
      if (exit.isDone()) {
        throw new IOException("the demo client stopped: " + exit.join().message());
      }
      last = find(client.status(), proxy);
      if (last != null && "healthy".equals(last.status())) {
        return;
      }
      if (last != null
          && ("bind_failed".equals(last.status()) || "rejected".equals(last.status()))) {
        throw new IOException("proxy '" + proxy + "' is " + last.status() + ": " + last.error());
      }
      Thread.sleep(POLL_MILLIS);
    }
    String state = last == null ? "unknown" : last.status() + errorSuffix(last);
    throw new IOException(
        "proxy '" + proxy + "' not healthy after " + timeout.toSeconds() + "s (" + state + ")");
  }

  /** GETs {@code url} and returns the body; any status but 200 is an error. */
  static String fetch(URI url) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url).timeout(FETCH_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " through the tunnel answered " + response.statusCode());
    }
    return response.body();
  }

  private static ProxyState find(ClientStatus status, String proxy) {
    return status.proxies().stream().filter(p -> proxy.equals(p.name())).findFirst().orElse(null);
  }

  private static String errorSuffix(ProxyState state) {
    return state.error() == null ? "" : ": " + state.error();
  }
}
