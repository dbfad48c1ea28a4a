package dev.tlstunnel.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What one admin listener answers to {@code GET}: exact paths with a body (JSON, the metrics text),
 * path prefixes whose rest names an item (a JSON body, or null for 404), the event stream, and the
 * dashboard. Built once before the listener starts.
 */
public final class Routes {
  /** A body and its content type. */
  public record Body(String type, Supplier<String> text) {}

  final Map<String, Body> exact = new LinkedHashMap<>();
  final Map<String, Function<String, String>> prefixes = new LinkedHashMap<>();
  EventHub events;
  boolean dashboard;

  /** {@code path} answers the JSON {@code body} makes at each request. */
  public Routes json(String path, Supplier<String> body) {
    exact.put(path, new Body("application/json", body));
    return this;
  }

  /** {@code path} answers {@code body} with {@code type}. */
  public Routes text(String path, String type, Supplier<String> body) {
    exact.put(path, new Body(type, body));
    return this;
  }

  /** {@code prefix + name} answers {@code item.apply(name)}, or 404 when that is null. */
  public Routes item(String prefix, Function<String, String> item) {
    prefixes.put(prefix, item);
    return this;
  }

  /** {@code /api/events} streams {@code hub}'s events. */
  public Routes events(EventHub hub) {
    this.events = hub;
    return this;
  }

  /**
   * {@code /} and its assets serve the dashboard; {@code /api/info} says which side this is ({@code
   * {"side":"server","version":"0.1.0"}}).
   */
  public Routes dashboard(String side) {
    this.dashboard = true;
    String info =
        "{\"side\":\"" + side + "\",\"version\":\"" + dev.tlstunnel.Version.VERSION + "\"}";
    return json("/api/info", () -> info);
  }
}
