package dev.tlstunnel.config;

import java.time.Duration;
import java.util.Map;

/**
 * The server as an egress for its clients' forwarders ({@code [server] allow_forward} and {@code
 * [server.egress]}).
 *
 * @param allowForward whether clients may open connections from the server at all (off by default)
 * @param rules where those connections may go
 * @param clients when not null, only these client ids may use egress, each with extra allowed
 *     ranges and ports ({@code [server.egress.clients.<id>]}); null lets every client use it
 * @param connectTimeout the timeout of one outbound connect
 */
public record EgressConfig(
    boolean allowForward,
    EgressRules rules,
    Map<String, EgressRules> clients,
    Duration connectTimeout) {

  /** Default outbound connect timeout: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Egress off. */
  public static final EgressConfig OFF =
      new EgressConfig(false, EgressRules.DEFAULT, null, DEFAULT_CONNECT_TIMEOUT);

  public EgressConfig {
    rules = rules == null ? EgressRules.DEFAULT : rules;
    clients = clients == null ? null : Map.copyOf(clients);
    connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
  }

  /** Egress on for every client, with {@code rules}. */
  public static EgressConfig allowing(EgressRules rules) {
    return new EgressConfig(true, rules, null, DEFAULT_CONNECT_TIMEOUT);
  }
}
