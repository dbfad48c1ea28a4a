package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.ConnectedVisitor;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.VisitorState;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.SessionState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class StatusTableTest {
  static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

  static ClientStatus sample() {
    return new ClientStatus(
        "office-pc",
        "tunnel.example.com:7000",
        SessionState.CONNECTED,
        null,
        null,
        null,
        List.of(
            new ProxyState(
                "web",
                ProxyStatus.HEALTHY,
                "0.0.0.0",
                8080,
                "127.0.0.1:3000",
                null,
                null,
                null,
                1,
                10,
                Instant.parse("2026-11-24T11:59:00Z")),
            new ProxyState(
                "db",
                ProxyStatus.UNHEALTHY,
                "0.0.0.0",
                5432,
                "127.0.0.1:5432",
                "Port 5432 is already in use by another process",
                Duration.ofSeconds(4),
                Instant.parse("2026-11-24T12:00:03.200Z"),
                2,
                10,
                Instant.parse("2026-11-24T11:59:59Z")),
            new ProxyState(
                "ssh",
                ProxyStatus.BIND_FAILED,
                "0.0.0.0",
                22,
                "127.0.0.1:22",
                "Permission denied to bind to 0.0.0.0:22 - may need administrator privileges",
                null,
                null,
                11,
                10,
                Instant.parse("2026-11-24T11:50:00Z"))),
        null,
        null,
        List.of(),
        List.of());
  }

  @Test
  @Timeout(10)
  void rendersSessionAndAlignedColumns() {
    assertThat(StatusTable.render(sample(), NOW))
        .isEqualTo(
            String.join(
                "\n",
                "Session: connected to tunnel.example.com:7000 as office-pc",
                "",
                "PROXY  STATUS       PUBLISH       LOCAL           DETAIL",
                "web    healthy      0.0.0.0:8080  127.0.0.1:3000  -",
                "db     unhealthy    0.0.0.0:5432  127.0.0.1:5432  Port 5432 is already in use by"
                    + " another process; retry in 4s (attempt 2/10)",
                "ssh    bind_failed  0.0.0.0:22    127.0.0.1:22    Permission denied to bind to"
                    + " 0.0.0.0:22 - may need administrator privileges; gave up after 10 retries",
                ""));
  }

  @Test
  @Timeout(10)
  void retryCountdownFallsBackToAnnouncedDelay() {
    ProxyState state =
        new ProxyState(
            "db",
            ProxyStatus.UNHEALTHY,
            "0.0.0.0",
            5432,
            "127.0.0.1:5432",
            "busy",
            Duration.ofSeconds(8),
            null,
            3,
            -1,
            null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("busy; retry in 8s (attempt 3)");
  }

  @Test
  @Timeout(10)
  void retryCountdownIsWhatIsLeftUntilNextRetryAt() {
    // retry_after_seconds stays the whole delay; the table counts down to next_retry_at.
    ProxyState state =
        new ProxyState(
            "db",
            ProxyStatus.UNHEALTHY,
            "0.0.0.0",
            5432,
            "127.0.0.1:5432",
            "busy",
            Duration.ofSeconds(32),
            NOW.plusSeconds(5),
            5,
            10,
            null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("busy; retry in 5s (attempt 5/10)");
  }

  @Test
  @Timeout(10)
  void gaveUpCountsTheRetriesAsTheServerDoes() {
    ProxyState state =
        new ProxyState(
            "db",
            ProxyStatus.BIND_FAILED,
            "0.0.0.0",
            5432,
            "127.0.0.1:5432",
            "busy",
            null,
            null,
            2,
            1,
            null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("busy; gave up after 1 retry");
  }

  @Test
  @Timeout(10)
  void showsLastErrorAndEmptyProxies() {
    ClientStatus status =
        new ClientStatus(
            "c1",
            "example.org:7000",
            SessionState.DISCONNECTED,
            "connection refused",
            null,
            null,
            List.of(),
            null,
            null,
            List.of(),
            List.of());
    assertThat(StatusTable.render(status, NOW))
        .isEqualTo(
            "Session: disconnected from example.org:7000 as c1\n"
                + "Last error: connection refused\n"
                + "No proxies configured.\n");
  }

  @Test
  @Timeout(10)
  void showsTheNextReconnectAttempt() {
    ClientStatus status =
        new ClientStatus(
            "c1",
            "example.org:7000",
            SessionState.DISCONNECTED,
            "connection to server example.org:7000 lost",
            NOW.plusMillis(3_500),
            3,
            List.of(),
            null,
            null,
            List.of(),
            List.of());
    assertThat(StatusTable.render(status, NOW))
        .isEqualTo(
            "Session: disconnected from example.org:7000 as c1\n"
                + "Last error: connection to server example.org:7000 lost\n"
                + "Reconnecting: attempt 3 in 4s\n"
                + "No proxies configured.\n");
    ClientStatus connecting =
        new ClientStatus(
            "c1",
            "example.org:7000",
            SessionState.CONNECTING,
            null,
            null,
            3,
            List.of(),
            null,
            null,
            List.of(),
            List.of());
    assertThat(StatusTable.reconnect(connecting, NOW)).isEqualTo("Reconnecting: attempt 3 now");
  }

  @Test
  @Timeout(10)
  void pendingProxyWaitsForServer() {
    ProxyState state =
        new ProxyState(
            "web",
            ProxyStatus.PENDING,
            "::",
            80,
            "127.0.0.1:80",
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("waiting for the server");
  }

  @Test
  void sessionLineNamesTheTransportWhenTheClientReportsIt() {
    ClientStatus status =
        new ClientStatus(
            "office-pc",
            "tunnel.example.com:443",
            SessionState.CONNECTED,
            null,
            null,
            null,
            List.of(),
            "wss via http proxy 10.0.0.3:3128",
            "http://10.0.0.3:3128",
            List.of(),
            List.of());
    assertThat(StatusTable.session(status))
        .isEqualTo(
            "Session: connected to tunnel.example.com:443 as office-pc over wss via http proxy"
                + " 10.0.0.3:3128");
  }

  @Test
  @Timeout(10)
  void rendersPrivateProxiesAndVisitors() {
    ProxyState ssh =
        new ProxyState(
                "ssh",
                ProxyStatus.HEALTHY,
                null,
                0,
                "127.0.0.1:22",
                null,
                null,
                null,
                1,
                null,
                null)
            .withVisitors(
                "private",
                List.of(new ConnectedVisitor("ci", 1), new ConnectedVisitor("laptop", 2)));
    ProxyState db =
        new ProxyState(
                "db",
                ProxyStatus.HEALTHY,
                null,
                0,
                "127.0.0.1:5432",
                null,
                null,
                null,
                1,
                null,
                null)
            .withVisitors("private", List.of());
    VisitorState office =
        new VisitorState(
            "office-web",
            "office/web",
            "127.0.0.1",
            8080,
            "127.0.0.1:8080",
            ProxyStatus.HEALTHY,
            null,
            null,
            null,
            1,
            10,
            3,
            40,
            null,
            null,
            null);
    VisitorState refused =
        new VisitorState(
            "home-ssh",
            "home/ssh",
            "127.0.0.1",
            2222,
            "127.0.0.1:2222",
            ProxyStatus.HEALTHY,
            null,
            null,
            null,
            1,
            10,
            0,
            5,
            "client 'home' is not connected (target_offline)",
            Instant.parse("2026-11-24T11:59:00Z"),
            null);
    VisitorState held =
        new VisitorState(
            "db",
            "office/db",
            "127.0.0.1",
            5433,
            null,
            ProxyStatus.UNHEALTHY,
            "Port 5433 is already in use by another process",
            Duration.ofSeconds(2),
            Instant.parse("2026-11-24T12:00:02Z"),
            1,
            10,
            0,
            0,
            null,
            null,
            null);
    ClientStatus status =
        new ClientStatus(
            "laptop",
            "tunnel.example.com:7000",
            SessionState.CONNECTED,
            null,
            null,
            null,
            List.of(ssh, db),
            null,
            null,
            List.of(),
            List.of(office, refused, held));
    assertThat(StatusTable.render(status, NOW))
        .isEqualTo(
            String.join(
                "\n",
                "Session: connected to tunnel.example.com:7000 as laptop",
                "",
                "PROXY  STATUS   PUBLISH  LOCAL           DETAIL",
                "ssh    healthy  private  127.0.0.1:22    visitors: ci (1), laptop (2)",
                "db     healthy  private  127.0.0.1:5432  no visitor connected",
                "",
                "VISITOR     STATUS     LOCAL           TARGET      CONNS  DETAIL",
                "office-web  healthy    127.0.0.1:8080  office/web  3      -",
                "home-ssh    healthy    127.0.0.1:2222  home/ssh    0      last refused: client"
                    + " 'home' is not connected (target_offline)",
                "db          unhealthy  127.0.0.1:5433  office/db   0      Port 5433 is already in"
                    + " use by another process; retry in 2s (attempt 1/10)",
                ""));
  }
}
