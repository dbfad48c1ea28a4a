package dev.tlstunnel.reload;

import static dev.tlstunnel.testing.TunnelFixture.built;
import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static dev.tlstunnel.testing.TunnelFixture.proxyBuilder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.config.VisitorConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a client's reload plans, entry by entry, and what it refuses. */
@Timeout(10)
class ClientPlanTest {
  private static final ClientConfig BASE =
      built(
          ClientConfig.builder()
              .server("127.0.0.1", 7000)
              .authKey("secret-key-0123456789")
              .clientId("office")
              .proxies(List.of(proxy("web", 18080, 3000), proxy("db", 15432, 5432))));

  @Test
  void entriesAreComparedByNameIdentityChangesRestartTheRestUpdatesInPlace() {
    ClientConfig next =
        built(
            BASE.toBuilder()
                .proxies(
                    List.of(
                        built(
                            proxyBuilder("web", 18080, 3000)
                                .bindRetry(
                                    new BindRetryPolicy(
                                        3, Duration.ofSeconds(1), Duration.ofSeconds(4)))),
                        proxy("db", 15433, 5432),
                        proxy("api", 18081, 8080))));

    Plan plan = ClientPlan.of(BASE, next);

    assertThat(plan.changes())
        .extracting(c -> c.name() + " " + c.action().wireName() + ": " + c.detail())
        .containsExactly(
            "web update: bind_retry default -> {max_retries 3, initial_delay 1s, max_delay 4s}",
            "db restart: publish 127.0.0.1:15432 -> 127.0.0.1:15433; open connections may finish"
                + " within shutdown_grace (10s)",
            "api add: publish 127.0.0.1:18081, local 127.0.0.1:8080");
    assertThat(plan.summary()).isEqualTo("1 added, 1 restarted, 1 updated");
    assertThat(plan.refusals()).isEmpty();
  }

  @Test
  void visitorsAndTheAdminAddressCannotChangeWhileRunningAndAreNamedByKey() {
    ClientConfig next =
        built(
            BASE.toBuilder()
                .admin("127.0.0.1", 7400)
                .visitors(
                    List.of(VisitorConfig.of("ssh", "home/ssh", 2222, "visit-secret-0123456789"))));

    Plan plan = ClientPlan.of(BASE, next);

    assertThat(plan.refusals())
        .containsExactly(
            "visitors[0]: 'ssh' added: visitors cannot change while the client runs; restart the"
                + " client to apply it",
            "client.admin_port: none -> 7400 (cannot change while the client runs; restart the"
                + " client to apply it)");
  }

  @Test
  void theSameConfigurationPlansNothing() {
    assertThat(ClientPlan.of(BASE, BASE).isEmpty()).isTrue();
    assertThat(ClientPlan.of(BASE, BASE).summary()).isEqualTo("no change");
  }

  @Test
  void adminCredentialsAndNotificationsCannotChangeWhileRunningAndAreNamedByKey() {
    ClientConfig next =
        built(
            BASE.toBuilder()
                .monitoring(
                    MonitoringConfig.DEFAULT.withToken("a-new-admin-token").withLabelLimit(20)));

    Plan plan = ClientPlan.of(BASE, next);

    assertThat(plan.refusals())
        .containsExactly(
            "client.admin_token: changed (cannot change while the client runs; restart the client"
                + " to apply it)",
            "client.metrics_label_limit: 500 -> 20 (cannot change while the client runs; restart"
                + " the client to apply it)");
  }
}
