package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tls-tunnel retry PROXY}: asks a running client (through its admin API, {@code POST
 * /api/proxies/PROXY/retry}) to have the server start the bind schedule of a {@code bind_failed}
 * proxy again.
 */
@Command(
    name = "retry",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Start the bind retries of a proxy that gave up (bind_failed) again.",
      "Asks the running client, through its admin API, to have the server bind the",
      "proxy's port again, from the first attempt of its schedule; 'status' shows how",
      "it goes."
    })
public final class RetryCommand implements Callable<Integer> {

  /** Longer than the client waits for the server's answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Spec private CommandSpec spec;

  @Mixin private AdminEndpoint endpoint;

  @Parameters(paramLabel = "PROXY", description = "The proxy's name, as in the client's config.")
  private String proxy;

  @Override
  public Integer call() throws Exception {
    if (!proxy.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ParameterException(
          spec.commandLine(), "PROXY: '" + proxy + "' is not a proxy name ([A-Za-z0-9._-], 1-64)");
    }
    URI base = endpoint.base(spec);
    URI uri = base.resolve("/api/proxies/" + proxy + "/retry");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HttpResponse<String> response;
    try {
      response = post(uri, endpoint.authorization(spec));
    } catch (IOException e) {
      err.println(
          "error: cannot reach the client's admin API at "
              + base
              + " (the client may not be running): "
              + Main.describe(e));
      err.flush();
      return Main.EXIT_USAGE;
    }
    JsonNode answer = parse(response.body());
    String outcome = answer.path("outcome").asText("");
    if (response.statusCode() == 200 && outcome.equals("restarted")) {
      out.println("Proxy '" + proxy + "': " + answer.path("message").asText());
      out.println("'tls-tunnel status' shows how its attempts go.");
      out.flush();
      return 0;
    }
    String message;
    if (!outcome.isEmpty()) {
      message = answer.path("message").asText();
    } else if (response.statusCode() == 404) {
      message =
          "the client's admin API has no retry (the client runs an older version): restart the"
              + " client, which registers proxy '"
              + proxy
              + "' again and starts its bind schedule anew";
    } else {
      message = "unexpected answer from " + uri + ": HTTP " + response.statusCode();
    }
    err.println("error: " + message);
    err.flush();
    return Main.EXIT_USAGE;
  }

  /** Parses with a mapper made here, not in a static field: picocli creates every command early. */
  private static JsonNode parse(String body) {
    ObjectMapper mapper = new ObjectMapper();
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      return mapper.createObjectNode();
    }
  }

  private static HttpResponse<String> post(URI uri, String authorization) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(StatusCommand.TIMEOUT).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    HttpRequest request = b.build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
