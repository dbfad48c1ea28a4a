package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.GroupMember;
import dev.tlstunnel.GroupState;
import dev.tlstunnel.ProxyStatus;
import dev.tlstunnel.client.ClientStatus;
import dev.tlstunnel.client.ProxyState;
import dev.tlstunnel.client.SessionState;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code GROUP ...} table of {@code status}, from the admin API's JSON read back. */
class GroupTableTest {
  @Test
  @Timeout(10)
  void aGroupProxyShowsEveryMemberWithItsHealthAndConnections() {
    GroupState group =
        new GroupState(
            "web",
            "least_connections",
            List.of(
                new GroupMember("office", "web-a", true, 12, 0),
                new GroupMember("backup", "web-b", false, 0, 5)));
    ProxyState web =
        new ProxyState(
                "web-a",
                ProxyStatus.HEALTHY,
                "0.0.0.0",
                8080,
                "127.0.0.1:3000",
                null,
                null,
                null,
                1,
                10,
                StatusTableTest.NOW)
            .withGroup(group);
    ClientStatus status =
        new ClientStatus(
            "office",
            "tunnel.example.com:7000",
            SessionState.CONNECTED,
            null,
            null,
            null,
            List.of(web),
            "tls",
            null,
            List.of(),
            List.of());

    ClientStatus read = ClientStatus.fromJson(status.toJson());
    assertThat(read.proxies().get(0).group()).isEqualTo(group);
    assertThat(StatusTable.render(read, StatusTableTest.NOW))
        .contains(
            """
            GROUP  STRATEGY           MEMBER        SERVING  CONNECTIONS  PRIORITY
            web    least_connections  office/web-a  yes      12           0
            web    least_connections  backup/web-b  no       0            5
            """);
  }
}
