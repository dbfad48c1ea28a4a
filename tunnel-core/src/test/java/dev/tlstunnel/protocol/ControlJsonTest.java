package dev.tlstunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ServerConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ControlJsonTest {
  record Item(String proxyName, Integer retryAfterSeconds, ProxyStatus status) {}

  record Snapshot(String clientId, List<Item> items) {}

  @Test
  void writesSnakeCaseAndOmitsNulls() throws Exception {
    Snapshot s = new Snapshot("c1", List.of(new Item("web", null, ProxyStatus.BIND_FAILED)));
    assertThat(ControlJson.writer().writeValueAsString(s))
        .isEqualTo(
            "{\"client_id\":\"c1\",\"items\":[{\"proxy_name\":\"web\",\"status\":\"bind_failed\"}]}");
    assertThat(
            ControlJson.reader()
                .forType(Snapshot.class)
                .<Snapshot>readValue("{\"client_id\":\"c1\",\"x\":1,\"items\":[]}"))
        .isEqualTo(new Snapshot("c1", List.of()));
  }

  @Test
  void doesNotCoerceScalars() {
    assertThatThrownBy(
            () ->
                ControlJson.reader()
                    .forType(Item.class)
                    .readValue("{\"retry_after_seconds\":\"3\"}"))
        .isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(
            () -> ControlJson.reader().forType(Item.class).readValue("{\"proxy_name\":3}"))
        .isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void newMapperIsIndependentOfTheSharedOne() {
    assertThat(ControlJson.newMapper()).isNotSameAs(ControlJson.newMapper());
  }

  @Test
  void configAndProtocolAgreeOnBounds() {
    assertThat(Limits.CEILING_PROXIES).isEqualTo(Protocol.MAX_PROXIES);
    assertThat(ServerConfig.MAX_AUTH_KEY_LENGTH).isEqualTo(Protocol.MAX_STRING_LENGTH);
  }
}
