package dev.tlstunnel.config;

import java.util.List;

/**
 * What makes a proxy private ({@code visibility = "private"}): the server opens no public listener
 * for it, and only the listed visitors that prove the secret reach it.
 *
 * @param allowedVisitors client ids that may visit, or {@code ["*"]} for every client the server
 *     accepts
 * @param secret the shared secret the visitors prove; never logged
 */
public record PrivateProxyConfig(List<String> allowedVisitors, String secret) {
  /** The entry of {@code allowed_visitors} that allows every client. */
  public static final String ANY_VISITOR = "*";

  public PrivateProxyConfig {
    allowedVisitors = allowedVisitors == null ? null : List.copyOf(allowedVisitors);
  }

  /** The visitors, with the secret as {@code ***}. */
  @Override
  public String toString() {
    return "PrivateProxyConfig[allowedVisitors="
        + allowedVisitors
        + ", secret="
        + (secret == null ? null : "***")
        + "]";
  }
}
