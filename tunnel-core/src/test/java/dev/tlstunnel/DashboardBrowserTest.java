package dev.tlstunnel;

import static dev.tlstunnel.testing.TunnelFixture.proxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import dev.tlstunnel.testing.AdminHttpClient;
import dev.tlstunnel.testing.EchoTunnelTest;
import dev.tlstunnel.testing.EventRecorder;
import dev.tlstunnel.testing.HeadlessChromium;
import dev.tlstunnel.testing.Streams;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium: the server's and the client's pages load without
 * console errors, show the JSON API's numbers, and show a proxy going unhealthy within 2 seconds.
 * Screenshots are kept in {@code target/dashboard/}.
 */
@Timeout(120)
class DashboardBrowserTest extends EchoTunnelTest {
  private static final Path SHOTS = Path.of("target", "dashboard");

  @Test
  void serverAndClientPagesShowTheApisNumbersLive() throws Exception {
    EventRecorder events = new EventRecorder();
    var config =
        fixture
            .serverBuilder()
            .bindRetry(new BindRetryPolicy(100, Duration.ofSeconds(5), Duration.ofSeconds(5)))
            .monitoring(MonitoringConfig.DEFAULT.withAdmin("127.0.0.1", 0))
            .build();
    try (TunnelServer server = TunnelServer.builder(config).listener(events).start();
        ServerSocket blocker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        HeadlessChromium chromium = new HeadlessChromium(dir.resolve("chromium"))) {
      TunnelClient client =
          fixture.startClient(
              fixture
                  .clientBuilder(
                      server.address().getPort(), "office", List.of(proxy("echo", 0, echo.port())))
                  .admin("127.0.0.1", 0)
                  .build());
      int port = client.proxy("echo").whenHealthy().get(10, TimeUnit.SECONDS).getPort();
      for (int i = 0; i < 3; i++) {
        try (var s = Streams.connect(port, 10_000)) {
          assertThat(Streams.echoesExactly(s, i, 50_000)).isTrue();
        }
      }
      AdminHttpClient api = new AdminHttpClient(server.adminPort());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> api.json("/api/proxies/echo").at("/stats/connections_closed").asLong() == 3);

      WebDriver page = chromium.driver();
      page.get("http://127.0.0.1:" + server.adminPort() + "/");
      awaitText(page, "#live", "live");
      JsonNode echoJson = api.json("/api/proxies/echo");
      awaitCell(
          page, "echo", "connections_total", echoJson.at("/stats/connections_total").asText());
      assertThat(cell(page, "echo", "status").getText()).isEqualTo(echoJson.get("status").asText());
      assertThat(cell(page, "echo", "bytes_in").getText()).isEqualTo("146.5 KiB");
      assertThat(cell(page, "office", "client_id").getText()).isEqualTo("office");
      assertThat(page.findElement(By.cssSelector("[data-field=clients]")).getText())
          .isEqualTo(api.json("/api/server").get("clients").asText());

      // A second client's proxy cannot bind: the page shows it unhealthy within 2 s of the event.
      fixture.startClient(
          fixture.clientConfig(
              server.address().getPort(),
              "lab",
              List.of(proxy("db", blocker.getLocalPort(), echo.port()))));
      events.awaitFirst(ServerEvent.BindRetryScheduled.class, e -> e.proxyName().equals("db"));
      long seen = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> stateOf(page, "db").equals("unhealthy"));
      assertThat(Duration.ofNanos(System.nanoTime() - seen)).isLessThan(Duration.ofSeconds(2));
      assertThat(cell(page, "db", "last_error").getText())
          .isEqualTo("Port " + blocker.getLocalPort() + " is already in use by another process");
      assertThat(cell(page, "db", "next_retry").getText()).startsWith("in ");
      chromium.screenshot(SHOTS.resolve("server.png"));
      assertThat(chromium.consoleErrors()).isEmpty();

      page.get("http://127.0.0.1:" + client.adminPort() + "/");
      awaitText(page, "#live", "live");
      JsonNode status = new AdminHttpClient(client.adminPort()).json("/api/status");
      awaitCell(
          page,
          "echo",
          "connections_total",
          status.at("/proxies/0/stats/connections_total").asText());
      assertThat(cell(page, "echo", "status").getText()).isEqualTo("healthy");
      assertThat(page.findElement(By.cssSelector("[data-field='client id']")).getText())
          .isEqualTo("office");
      chromium.screenshot(SHOTS.resolve("client.png"));
      assertThat(chromium.consoleErrors()).isEmpty();
      // The console check does see errors.
      ((org.openqa.selenium.JavascriptExecutor) page).executeScript("console.error('probe')");
      assertThat(chromium.consoleErrors()).anySatisfy(e -> assertThat(e).contains("probe"));
    }
  }

  private static String stateOf(WebDriver page, String proxy) {
    List<WebElement> found = cells(page, proxy, "status");
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  private static void awaitText(WebDriver page, String css, String text) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> page.findElement(By.cssSelector(css)).getText().equals(text));
  }

  private static void awaitCell(WebDriver page, String key, String field, String text) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> cell(page, key, field).getText().equals(text));
  }

  private static WebElement cell(WebDriver page, String key, String field) {
    List<WebElement> found = cells(page, key, field);
    if (found.isEmpty()) {
      throw new AssertionError("no cell " + key + "/" + field);
    }
    return found.get(0);
  }

  private static List<WebElement> cells(WebDriver page, String key, String field) {
    return page.findElements(
        By.cssSelector("[data-key='" + key + "'][data-field='" + field + "']"));
  }
}
