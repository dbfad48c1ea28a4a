package dev.tlstunnel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.protocol.BindRetrySpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class RetryPolicyClampTest {
  private static final BindRetryPolicy SERVER = BindRetryPolicy.DEFAULT;

  @Test
  void noRequestMeansTheServersPolicy() {
    RetryPolicyClamp.Result r = RetryPolicyClamp.clamp(SERVER, null);
    assertThat(r.policy()).isEqualTo(SERVER);
    assertThat(r.note()).isNull();
  }

  @Test
  void requestWithinLimitsIsKeptAsIs() {
    RetryPolicyClamp.Result r = RetryPolicyClamp.clamp(SERVER, new BindRetrySpec(5, 1000, 30_000));
    assertThat(r.policy())
        .isEqualTo(new BindRetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    assertThat(r.note()).isNull();
  }

  @Test
  void moreRetriesAndLongerWaitsThanTheServerAllowsAreClampedAndSaid() {
    RetryPolicyClamp.Result r = RetryPolicyClamp.clamp(SERVER, new BindRetrySpec(-1, 10, 600_000));
    assertThat(r.policy())
        .isEqualTo(new BindRetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(60)));
    assertThat(r.note())
        .isEqualTo(
            "bind_retry: max_retries -1 (forever) clamped to the server's limit 10; max_delay 600s"
                + " clamped to the server's limit 60s; initial_delay raised to the minimum 0.1s");
  }

  @Test
  void serverThatRetriesForeverAllowsAnyCount() {
    BindRetryPolicy forever =
        new BindRetryPolicy(-1, Duration.ofSeconds(2), Duration.ofSeconds(60));
    RetryPolicyClamp.Result r =
        RetryPolicyClamp.clamp(forever, new BindRetrySpec(-1, 2000, 60_000));
    assertThat(r.policy().unlimited()).isTrue();
    assertThat(r.note()).isNull();
  }

  @Test
  void firstWaitLongerThanTheCapIsLowered() {
    RetryPolicyClamp.Result r =
        RetryPolicyClamp.clamp(SERVER, new BindRetrySpec(3, 50_000, 10_000));
    assertThat(r.policy().initialDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.policy().maxDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.note()).contains("initial_delay lowered to max_delay 10s");
  }
}
