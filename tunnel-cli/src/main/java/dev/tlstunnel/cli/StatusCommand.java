package dev.tlstunnel.cli;

import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(
      names = {"-c", "--config"},
      required = true,
      paramLabel = "FILE",
      description = "The client's config file; its admin_addr and admin_port are used.")
  private Path config;

  @Option(names = "--json", description = "Print the admin API's JSON as it is.")
  private boolean json;

  @Override
  public Integer call() throws Exception {
    ClientConfig cfg = ConfigLoader.loadClient(ConfigFiles.requireReadable(config));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (cfg.adminPort() == null) {
      err.println(
          "error: the client's admin API is off: set [client] admin_port in "
              + config
              + " (and restart the client) to use 'status'");
      err.flush();
      return Main.EXIT_USAGE;
    }
    return show(out, err, cfg.adminAddr(), cfg.adminPort(), json);
  }

  /** Fetches and prints the status from {@code addr:port}; returns the exit code. */
  static int show(PrintWriter out, PrintWriter err, String addr, int port, boolean json) {
    URI uri = statusUri(addr, port);
    String body;
    try {
      body = fetch(uri);
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

  /** The status URL; a wildcard admin address is reached on loopback. */
  static URI statusUri(String addr, int port) {
    String host = addr == null || addr.isBlank() ? "127.0.0.1" : addr;
    if (Addresses.isWildcard(host)) {
      host = host.contains(":") ? "::1" : "127.0.0.1";
    }
    return URI.create("http://" + Addresses.hostPort(host, port) + "/api/status");
  }

  private static String fetch(URI uri) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return response.body();
  }
}
