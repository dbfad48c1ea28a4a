package dev.tlstunnel.server;

import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.admin.AdminAccess;
import dev.tlstunnel.admin.AdminHttp;
import dev.tlstunnel.admin.EventHub;
import dev.tlstunnel.admin.EventJson;
import dev.tlstunnel.admin.Routes;
import dev.tlstunnel.config.MonitoringConfig;
import dev.tlstunnel.config.NotifyConfig;
import dev.tlstunnel.metrics.Exposition;
import dev.tlstunnel.mux.YamuxMultiplexHandler;
import dev.tlstunnel.notify.Notifications;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that watches one server, built on its listener events: the counters ({@link
 * ServerMetrics}, the first listener), the notifications, the event stream, the once-a-second tick
 * that samples rates and streams them, and the admin listener ({@code admin_port}) with the JSON
 * API, {@code /metrics} and the dashboard.
 */
final class ServerMonitoring implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("dev.tlstunnel.server.AdminApi");

  /** Every this many ticks (seconds), each session is pinged for its round-trip time. */
  static final int RTT_PING_TICKS = 10;

  private final MonitoringConfig config;
  private final ServerMetrics metrics;
  private final Notifications notifications;
  private final EventHub hub = new EventHub();
  private AdminHttp admin;
  private ScheduledFuture<?> ticker;

  ServerMonitoring(MonitoringConfig config, Clock clock, String owner) {
    this.config = config;
    this.metrics = new ServerMetrics(config.metricsLabelLimit(), clock.instant());
    this.notifications = new Notifications(config.notifications(), owner);
  }

  ServerMetrics metrics() {
    return metrics;
  }

  /** A reload's notify targets, for notices from now on. */
  void notifications(List<NotifyConfig> next) {
    notifications.replace(next);
  }

  /** The listeners to put before the embedder's: counters first. */
  List<TunnelServer.Listener> listeners() {
    List<TunnelServer.Listener> out = new ArrayList<>();
    out.add(metrics);
    // Always there: a reload may add targets.
    out.add(new ServerNotices(notifications));
    out.add(
        new TunnelServer.Listener() {
          @Override
          public void onEvent(ServerEvent event) {
            if (hub.hasSubscribers()
                && !(event instanceof ServerEvent.PublicConnectionOpened)
                && !(event instanceof ServerEvent.PublicConnectionClosed)) {
              hub.publish("status", EventJson.of((Record) event).toString());
            }
          }
        });
    return out;
  }

  /**
   * Starts the tick on {@code loop} and, when {@code admin_port} is set, the admin listener.
   *
   * @throws TunnelStartException when the admin port cannot be bound
   */
  void start(ServerContext context, TunnelServer server, EventLoop loop)
      throws TunnelStartException {
    ServerApi api =
        new ServerApi(
            context,
            server::snapshot,
            () ->
                dev.tlstunnel.config.Addresses.hostPort(
                    context.config.bindAddr(), server.address().getPort()));
    long[] ticks = {0};
    ticker =
        loop.scheduleAtFixedRate(
            () -> {
              metrics.tick();
              pingSessions(context, ticks[0]++ % RTT_PING_TICKS == 0);
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
            .json("/api/server", api::server)
            .json("/api/clients", api::clients)
            .item("/api/clients/", api::client)
            .json("/api/proxies", api::proxies)
            .item("/api/proxies/", api::proxy)
            .text(
                "/metrics",
                Exposition.CONTENT_TYPE,
                () -> ServerExposition.text(context, server.snapshot(), notifications))
            .events(hub)
            .dashboard("server");
    try {
      admin =
          AdminHttp.start(
              loop,
              context.transport.serverChannelClass(),
              config.adminAddr(),
              config.adminPort(),
              new AdminAccess(config.adminToken(), config.adminUser(), config.adminPassword()),
              routes,
              List.of(),
              "admin API",
              log);
    } catch (TunnelStartException e) {
      close();
      throw e;
    }
  }

  /**
   * Pings the sessions without a round-trip time yet, or with {@code all} every session, so that
   * each client's round-trip time is known on the server too (the client's keepalive pings measure
   * it on the client only). One 12-byte frame per session.
   */
  private static void pingSessions(ServerContext context, boolean all) {
    for (ServerSession session : context.sessionsByClientId.values()) {
      YamuxMultiplexHandler mux = YamuxMultiplexHandler.get(session.tunnel());
      if (mux != null && session.tunnel().isActive() && (all || mux.rttNanos() == 0)) {
        mux.ping();
      }
    }
  }

  /** The admin listener's port, or -1 when it is off. */
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
