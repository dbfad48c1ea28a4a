package dev.tlstunnel.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The state of a published proxy on the server, as {@code proxy_status_update} carries it. */
public enum ProxyStatus {
  /** Listening and serving. */
  HEALTHY,
  /** Temporarily unavailable: the bind failed and a retry is scheduled. */
  UNHEALTHY,
  /** Given up: every retry failed. */
  BIND_FAILED;

  /** The wire name, e.g. {@code bind_failed}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The same state in the API's vocabulary. */
  public dev.tlstunnel.ProxyStatus toApi() {
    return dev.tlstunnel.ProxyStatus.valueOf(name());
  }

  /** Parses a wire name; unknown names map to null. */
  @JsonCreator
  public static ProxyStatus fromWire(String value) {
    for (ProxyStatus s : values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    return null;
  }
}
