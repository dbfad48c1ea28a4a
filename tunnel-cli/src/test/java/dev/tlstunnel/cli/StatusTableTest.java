package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.visitor.ConnectedVisitor;
import dev.tlstunnel.visitor.VisitorState;
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
        "connected",
        null,
        List.of(
            new ProxyState(
                "web",
                "healthy",
                "0.0.0.0",
                8080,
                "127.0.0.1:3000",
                null,
                null,
                null,
                1,
                10,
                "2026-11-24T11:59:00Z"),
            new ProxyState(
                "db",
                "unhealthy",
                "0.0.0.0",
                5432,
                "127.0.0.1:5432",
                "Port 5432 is already in use by another process",
                4.0,
                "2026-11-24T12:00:03.200Z",
                2,
                10,
                "2026-11-24T11:59:59Z"),
            new ProxyState(
                "ssh",
                "bind_failed",
                "0.0.0.0",
                22,
                "127.0.0.1:22",
                "Permission denied to bind to 0.0.0.0:22 - may need administrator privileges",
                null,
                null,
                11,
                10,
                "2026-11-24T11:50:00Z")));
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
            "db", "unhealthy", "0.0.0.0", 5432, "127.0.0.1:5432", "busy", 8.0, null, 3, -1, null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("busy; retry in 8s (attempt 3/unlimited)");
  }

  @Test
  @Timeout(10)
  void showsLastErrorAndEmptyProxies() {
    ClientStatus status =
        new ClientStatus("c1", "example.org:7000", "disconnected", "connection refused", List.of());
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
            "disconnected",
            "connection to server example.org:7000 lost",
            NOW.plusMillis(3_500).toString(),
            3,
            List.of());
    assertThat(StatusTable.render(status, NOW))
        .isEqualTo(
            "Session: disconnected from example.org:7000 as c1\n"
                + "Last error: connection to server example.org:7000 lost\n"
                + "Reconnecting: attempt 3 in 4s\n"
                + "No proxies configured.\n");
    ClientStatus connecting =
        new ClientStatus("c1", "example.org:7000", "connecting", null, null, 3, List.of());
    assertThat(StatusTable.reconnect(connecting, NOW)).isEqualTo("Reconnecting: attempt 3 now");
  }

  @Test
  @Timeout(10)
  void pendingProxyWaitsForServer() {
    ProxyState state =
        new ProxyState(
            "web", "pending", "::", 80, "127.0.0.1:80", null, null, null, null, null, null);
    assertThat(StatusTable.detail(state, NOW)).isEqualTo("waiting for the server");
  }

  @Test
  @Timeout(10)
  void rendersPrivateProxiesAndVisitors() {
    ProxyState ssh =
        new ProxyState("ssh", "healthy", null, 0, "127.0.0.1:22", null, null, null, 1, null, null)
            .withVisitors(
                "private",
                List.of(new ConnectedVisitor("ci", 1), new ConnectedVisitor("laptop", 2)));
    ProxyState db =
        new ProxyState("db", "healthy", null, 0, "127.0.0.1:5432", null, null, null, 1, null, null)
            .withVisitors("private", List.of());
    VisitorState office =
        new VisitorState(
            "office-web",
            "office/web",
            "127.0.0.1",
            8080,
            "127.0.0.1:8080",
            "healthy",
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
            "healthy",
            null,
            null,
            null,
            1,
            10,
            0,
            5,
            "client 'home' is not connected (target_offline)",
            "2026-11-24T11:59:00Z",
            null);
    VisitorState held =
        new VisitorState(
            "db",
            "office/db",
            "127.0.0.1",
            5433,
            null,
            "unhealthy",
            "Port 5433 is already in use by another process",
            2.0,
            "2026-11-24T12:00:02Z",
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
            "connected",
            null,
            null,
            null,
            List.of(ssh, db),
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
