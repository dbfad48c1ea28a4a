package dev.tlstunnel.health;

import dev.tlstunnel.Version;
import dev.tlstunnel.config.HealthCheck;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;

/**
 * The request an HTTP check sends ({@code GET path}, {@code Host} of the local service unless the
 * check's headers set one, {@code Connection: close}) and what it accepts back.
 *
 * @param path the request path
 * @param host the default {@code Host} header
 * @param headers the check's extra headers
 * @param statusRanges accepted status codes as {@code [low, high]} pairs
 * @param body text the body must contain, or null
 */
record HttpProbeSpec(
    String path, String host, Map<String, String> headers, int[] statusRanges, String body) {

  /** The spec of {@code check} towards {@code host} (a {@code host:port} header value). */
  static HttpProbeSpec of(HealthCheck check, String host) {
    return new HttpProbeSpec(
        check.path(), host, check.headers(), ranges(check.expectStatus()), check.expectBody());
  }

  private static int[] ranges(List<String> statuses) {
    if (statuses == null) {
      return new int[] {200, 399};
    }
    int[] r = new int[statuses.size() * 2];
    for (int i = 0; i < statuses.size(); i++) {
      String s = statuses.get(i).strip();
      int dash = s.indexOf('-');
      r[2 * i] = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
      r[2 * i + 1] = Integer.parseInt(dash < 0 ? s : s.substring(dash + 1).strip());
    }
    return r;
  }

  /** Whether {@code status} is accepted. */
  boolean accepts(int status) {
    for (int i = 0; i < statusRanges.length; i += 2) {
      if (status >= statusRanges[i] && status <= statusRanges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** A new request (the caller's to write, which releases it). */
  FullHttpRequest request() {
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    r.headers()
        .set(HttpHeaderNames.HOST, host)
        .set(HttpHeaderNames.USER_AGENT, "tls-tunnel-health-check/" + Version.VERSION)
        .set(HttpHeaderNames.ACCEPT, "*/*");
    headers.forEach((name, value) -> r.headers().set(name, value));
    r.headers()
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }
}
