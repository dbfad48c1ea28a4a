package dev.tlstunnel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code top} shows, read from a server's ({@code /api/server}, {@code /api/clients}, {@code
 * /api/proxies}) or a client's ({@code /api/status}) admin API: one {@link Row} per client session,
 * proxy, forwarder and visitor, and a summary line.
 */
final class TopData {
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One line of the table. Rates are bytes per second over the last second. */
  record Row(
      String kind,
      String name,
      String owner,
      String state,
      long active,
      long total,
      double rateIn,
      double rateOut,
      long bytesIn,
      long bytesOut,
      Double uptimeSeconds,
      String lastError) {}

  /** One reading: which side, its summary, its rows. */
  record Snapshot(
      String side, String version, Double uptimeSeconds, String summary, List<Row> rows) {}

  /** The API could not be read; {@code getMessage()} says why, for a user. */
  static final class Unreachable extends IOException {
    Unreachable(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final URI base;
  private final String authorization;

  TopData(URI base, String authorization) {
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    this.base = base;
    this.authorization = authorization;
  }

  URI base() {
    return base;
  }

  /** A request to {@code path} with the credentials, if any. */
  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  HttpClient http() {
    return http;
  }

  /** Reads everything once. */
  Snapshot read() throws IOException, InterruptedException {
    String side = get("/api/info").path("side").asText("client");
    return side.equals("server") ? server() : client();
  }

  private Snapshot server() throws IOException, InterruptedException {
    JsonNode server = get("/api/server");
    JsonNode clients = get("/api/clients");
    JsonNode proxies = get("/api/proxies");
    List<Row> rows = new ArrayList<>();
    for (JsonNode c : clients.path("clients")) {
      rows.add(
          row("client", text(c, "client_id"), text(c, "remote_address"), "connected", c, null));
    }
    for (JsonNode p : proxies.path("proxies")) {
      rows.add(
          row("proxy", text(p, "name"), text(p, "client_id"), state(p), p, text(p, "last_error")));
    }
    JsonNode by = server.path("proxies_by_status");
    String summary =
        server.path("clients").asInt()
            + " clients, "
            + server.path("proxies").asInt()
            + " proxies ("
            + by.path("healthy").asInt()
            + " healthy, "
            + by.path("unhealthy").asInt()
            + " unhealthy, "
            + by.path("bind_failed").asInt()
            + " bind_failed)";
    return new Snapshot(
        "server", text(server, "version"), number(server, "uptime_seconds"), summary, rows);
  }

  private Snapshot client() throws IOException, InterruptedException {
    JsonNode s = get("/api/status");
    JsonNode session = s.path("session");
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            "session",
            text(s, "client_id"),
            text(s, "server"),
            text(s, "session_state"),
            session.path("stats").path("connections_active").asLong(),
            session.path("stats").path("connections_total").asLong(),
            session.path("stats").path("rate_in").path("1s").asDouble(),
            session.path("stats").path("rate_out").path("1s").asDouble(),
            session.path("stats").path("bytes_in").asLong(),
            session.path("stats").path("bytes_out").asLong(),
            number(session, "uptime_seconds"),
            text(s, "last_error")));
    for (JsonNode p : s.path("proxies")) {
      rows.add(row("proxy", text(p, "name"), text(p, "local"), state(p), p, text(p, "error")));
    }
    for (JsonNode f : s.path("forwarders")) {
      rows.add(
          new Row(
              "forwarder",
              text(f, "name"),
              text(f, "listen"),
              text(f, "status"),
              f.path("active_connections").asLong(),
              f.path("total_connections").asLong(),
              f.path("rate_in").path("1s").asDouble(),
              f.path("rate_out").path("1s").asDouble(),
              f.path("bytes_in").asLong(),
              f.path("bytes_out").asLong(),
              null,
              first(text(f, "bind_error"), text(f, "last_error"))));
    }
    for (JsonNode v : s.path("visitors")) {
      rows.add(
          new Row(
              "visitor",
              text(v, "name"),
              text(v, "target"),
              state(v),
              v.path("active_connections").asLong(),
              v.path("total_connections").asLong(),
              0,
              0,
              0,
              0,
              null,
              first(text(v, "error"), text(v, "last_error"))));
    }
    String summary =
        "server "
            + text(s, "server")
            + " ("
            + text(s, "session_state")
            + "), "
            + s.path("proxies").size()
            + " proxies, "
            + s.path("forwarders").size()
            + " forwarders, "
            + s.path("visitors").size()
            + " visitors";
    return new Snapshot(
        "client", text(session, "version"), number(session, "uptime_seconds"), summary, rows);
  }

  /** A row from an item with a {@code stats} object (clients, proxies). */
  private static Row row(
      String kind, String name, String owner, String state, JsonNode item, String error) {
    JsonNode st = item.path("stats");
    return new Row(
        kind,
        name,
        owner,
        state,
        st.path("connections_active").asLong(),
        st.path("connections_total").asLong(),
        st.path("rate_in").path("1s").asDouble(),
        st.path("rate_out").path("1s").asDouble(),
        st.path("bytes_in").asLong(),
        st.path("bytes_out").asLong(),
        number(item, "uptime_seconds"),
        error);
  }

  /** The status, with the retry countdown while one is pending: {@code unhealthy (retry 4s)}. */
  private static String state(JsonNode item) {
    String status = text(item, "status");
    JsonNode retry = item.get("retry_after_seconds");
    if (retry != null && !retry.isNull() && "unhealthy".equals(status)) {
      return status + " (retry " + Math.round(retry.asDouble()) + "s)";
    }
    return status;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r;
    try {
      r =
          http.send(
              request(path).timeout(TIMEOUT).header("Accept", "application/json").build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unreachable("cannot reach the admin API at " + base + ": " + reason(e));
    }
    if (r.statusCode() == 401) {
      throw new Unreachable(
          "the admin API at " + base + " refused the credentials: give --token or --user");
    }
    if (r.statusCode() != 200) {
      throw new Unreachable("GET " + base.resolve(path) + ": HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }

  private static String reason(IOException e) {
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "no answer within " + TIMEOUT.toSeconds() + "s";
    }
    if (e instanceof java.net.ConnectException && e.getMessage() == null) {
      return "connection refused";
    }
    return Main.describe(e);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asDouble();
  }

  private static String first(String a, String b) {
    return a != null && !a.isBlank() ? a : b;
  }
}
