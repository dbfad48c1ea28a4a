package dev.tlstunnel.cli;

import dev.tlstunnel.client.ProxyHandle;
import dev.tlstunnel.client.ProxyState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The demo's checks: a free port, waiting for the proxy to be healthy, the proof fetch. */
final class DemoProbe {
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

  private DemoProbe() {}

  /** A port free on 127.0.0.1 right now (bound to port 0, then closed). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  /**
   * Waits until {@code proxy} is healthy; fails at once when it cannot become so (rejected, bind
   * failed, the client stopped) and after {@code timeout} otherwise.
   */
  static InetSocketAddress awaitHealthy(ProxyHandle proxy, Duration timeout)
      throws IOException, InterruptedException {
    try {
      return proxy.whenHealthy().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (CancellationException e) {
      throw new IOException("the demo client stopped", e);
    } catch (TimeoutException e) {
      ProxyState last = proxy.state();
      throw new IOException(
          "proxy '"
              + proxy.name()
              + "' not healthy after "
              + timeout.toSeconds()
              + "s ("
              + last.status().wireName()
              + (last.error() == null ? "" : ": " + last.error())
              + ")",
          e);
    }
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
}
