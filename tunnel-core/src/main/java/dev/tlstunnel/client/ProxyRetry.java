package dev.tlstunnel.client;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The answer to {@link TunnelClient#retryProxy}: whether the server started a {@code bind_failed}
 * proxy's bind schedule again. Serialized by the admin API's {@code POST /api/proxies/NAME/retry}.
 *
 * @param proxyName the proxy asked about
 * @param outcome what happened
 * @param message one line for the user
 */
public record ProxyRetry(String proxyName, Outcome outcome, String message) {

  /** What happened to a retry request. */
  public enum Outcome {
    /**
     * The server started the proxy's bind schedule again; its attempts follow as status updates.
     */
    RESTARTED,
    /** The server refused: the proxy is listening, still retrying, or unknown to it. */
    REFUSED,
    /** No proxy of that name is configured in this client. */
    UNKNOWN_PROXY,
    /** The client has no session with the server right now. */
    NOT_CONNECTED,
    /** The server did not answer in time: it may be a version that ignores the request. */
    NO_ANSWER;

    /** The JSON name, e.g. {@code no_answer}. */
    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
