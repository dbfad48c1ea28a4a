package dev.tlstunnel.notify;

import dev.tlstunnel.config.NotifyConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Delivers one notice to one target, once: a POST to the webhook, or the command run with the
 * notice on its standard input. Returns null on success, else the cause in a few fixed words
 * ({@code HTTP 500}, {@code timeout}, {@code exit 3}, {@code connection refused}, ...), by which
 * failures are logged once and counted. Runs on the target's own worker thread.
 */
final class Delivery {
  /** The signature header: {@code sha256=<hex HMAC-SHA256 of the body with the secret>}. */
  static final String SIGNATURE = "X-Tls-Tunnel-Signature";

  static final String EVENT = "X-Tls-Tunnel-Event";

  private final NotifyConfig target;
  private final HttpClient http;

  Delivery(NotifyConfig target) {
    this.target = target;
    this.http =
        target.url() == null
            ? null
            : HttpClient.newBuilder()
                .connectTimeout(target.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
  }

  String deliver(Notice notice) throws InterruptedException {
    String body = notice.toJson();
    return http != null ? post(notice, body) : exec(body);
  }

  private String post(Notice notice, String body) throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.url())
            .timeout(target.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "tls-tunnel")
            .header(EVENT, notice.event())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (target.secret() != null) {
      request.header(SIGNATURE, "sha256=" + sign(target.secret(), body));
    }
    try {
      int code = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      return code >= 200 && code < 300 ? null : "HTTP " + code;
    } catch (HttpTimeoutException e) {
      return "timeout";
    } catch (IOException e) {
      return cause(e);
    }
  }

  private String exec(String body) throws InterruptedException {
    Process process;
    try {
      process =
          new ProcessBuilder(target.exec())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      return "cannot run " + target.exec().get(0) + ": " + cause(e);
    }
    try (OutputStream in = process.getOutputStream()) {
      in.write(body.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // it may exit without reading; its exit status says how it went
    }
    if (!process.waitFor(target.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
      process.destroyForcibly();
      return "timeout";
    }
    int status = process.exitValue();
    return status == 0 ? null : "exit " + status;
  }

  /** The lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
  static String sign(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    if (root instanceof java.net.ConnectException) {
      return "connection refused";
    }
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
