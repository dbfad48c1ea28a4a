package dev.tlstunnel.config;

import java.util.Locale;

/** Where a forwarded connection goes: from the client itself, through the server, or nowhere. */
public enum RouteVia {
  DIRECT,
  TUNNEL,
  BLOCK;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
