package dev.tlstunnel.client;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.admin.AdminAccess;
import dev.tlstunnel.admin.EventHub;
import dev.tlstunnel.admin.EventJson;
import dev.tlstunnel.admin.Routes;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.metrics.Exposition;
import dev.tlstunnel.notify.Notifications;
import dev.tlstunnel.reload.ReloadHttpHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything that watches one client, built on its listener events: the counters ({@link
 * ClientMetrics}, the first listener), the notifications, the event stream, the once-a-second tick
 * that samples rates and streams them, and the admin API ({@code admin_port}) with {@code
 * /api/status}, {@code /metrics}, {@code /api/events} and the dashboard.
 */
final class ClientMonitoring implements AutoCloseable {
  private final ClientConfig config;
  private final MonitoringConfig settings;
  private final Clock clock;
  private final ClientMetrics metrics;
  private final Notifications notifications;
  private final EventHub hub = new EventHub();
  private AdminServer admin;
  private ScheduledFuture<?> ticker;

  ClientMonitoring(ClientConfig config, Clock clock) {
    this.config = config;
    this.settings = config.monitoring();
    this.clock = clock;
    this.metrics = new ClientMetrics(settings.metricsLabelLimit(), clock.instant());
    this.notifications = new Notifications(settings.notifications(), "client-" + config.clientId());
  }

  ClientMetrics metrics() {
    return metrics;
  }

  /** The listeners to put before the embedder's: counters first. */
  List<TunnelClient.Listener> listeners() {
    List<TunnelClient.Listener> out = new ArrayList<>();
    out.add(metrics);
    if (!notifications.isEmpty()) {
      out.add(new ClientNotices(notifications, config.clientId()));
    }
    out.add(
        new TunnelClient.Listener() {
          @Override
          public void onEvent(ClientEvent event) {
            if (hub.hasSubscribers()
                && !(event instanceof ClientEvent.ConnectionOpened)
                && !(event instanceof ClientEvent.ConnectionClosed)) {
              hub.publish("status", EventJson.of((Record) event).toString());
            }
          }
        });
    return out;
  }

  /**
   * Starts the tick on {@code loop} and, when {@code admin_port} is set, the admin API.
   *
   * @throws TunnelStartException when the admin port cannot be bound
   */
  void start(
      EventLoop loop,
      Class<? extends ServerChannel> channelClass,
      Supplier<ClientStatus> status,
      ReconnectLoop session,
      Function<String, CompletableFuture<ProxyRetry>> retry,
      ReloadHttpHandler.Target reload)
      throws TunnelStartException {
    ClientApi api = new ClientApi(status, metrics, session, clock);
    ticker =
        loop.scheduleAtFixedRate(
            () -> {
              api.sample();
              if (hub.hasSubscribers()) {
                hub.publish("tick", api.tick());
              }
            },
            1,
            1,
            TimeUnit.SECONDS);
    if (config.adminPort() == null) {
      return;
    }
    Routes routes =
        new Routes()
            .json("/api/status", api::status)
            .text(
                "/metrics",
                Exposition.CONTENT_TYPE,
                () ->
                    ClientExposition.text(status.get(), metrics, session.rttNanos(), notifications))
            .events(hub)
            .dashboard("client");
    try {
      admin =
          AdminServer.start(
              loop,
              channelClass,
              config.adminAddr(),
              config.adminPort(),
              new AdminAccess(
                  settings.adminToken(), settings.adminUser(), settings.adminPassword()),
              routes,
              retry,
              reload);
    } catch (TunnelStartException e) {
      close();
      throw e;
    }
  }

  /** The admin API's port, or -1 when it is off. */
  int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.cancel(false);
    }
    if (admin != null) {
      admin.close();
    }
    notifications.close();
  }
}
