package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel status}: asks a running client's admin API for its state ({@code GET
 * /api/status}) and prints the session and a table of proxies, or the raw JSON.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Show a running client's session and proxies, from its admin API.")
public final class StatusCommand implements Callable<Integer> {
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  @Spec private CommandSpec spec;

  @Mixin private AdminEndpoint endpoint;

  @Option(names = "--json", description = "Print the admin API's JSON as it is.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    URI base = endpoint.base(spec);
    return show(
        spec.commandLine().getOut(),
        spec.commandLine().getErr(),
        base,
        endpoint.authorization(spec),
        json);
  }

  /** Fetches and prints the status from {@code addr:port}; returns the exit code. */
  static int show(PrintWriter out, PrintWriter err, String addr, int port, boolean json) {
    return show(out, err, AdminEndpoint.uri(addr, port), null, json);
  }

  /**
   * Fetches and prints the status from the admin API at {@code base}, sending {@code authorization}
   * unless null; returns the exit code.
   */
  static int show(PrintWriter out, PrintWriter err, URI base, String authorization, boolean json) {
    URI uri = base.resolve("/api/status");
    String body;
    try {
      body = fetch(uri, authorization);
    } catch (IOException e) {
      err.println(
          "error: cannot reach the client's admin API at "
              + uri
              + " (the client may not be running): "
              + reason(e));
      err.flush();
      return Main.EXIT_USAGE;
    }
    if (json) {
      out.println(body.strip());
    } else {
      ClientStatus status;
      try {
        status = ClientStatus.fromJson(body);
      } catch (RuntimeException e) {
        err.println("error: unexpected answer from " + uri + ": " + Main.describe(e));
        err.flush();
        return Main.EXIT_USAGE;
      }
      out.print(StatusTable.render(status, Instant.now()));
    }
    out.flush();
    return 0;
  }

  private static String reason(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + TIMEOUT.toSeconds() + "s";
    }
    if (e instanceof ConnectException && e.getMessage() == null) {
      return "connection refused";
    }
    return Main.describe(e);
  }

  private static String fetch(URI uri, String authorization) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpRequest request = b.build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() == 401) {
      throw new IOException("HTTP 401: the admin API asks for credentials (--token or --user)");
    }
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return response.body();
  }
}
