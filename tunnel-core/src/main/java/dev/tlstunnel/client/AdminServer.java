package dev.tlstunnel.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tlstunnel.TunnelStartException;
import dev.tlstunnel.admin.AdminAccess;
import dev.tlstunnel.admin.AdminHttp;
import dev.tlstunnel.admin.Routes;
import dev.tlstunnel.reload.ReloadHttpHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's admin API on the shared admin listener ({@link AdminHttp}): {@code GET /api/status}
 * (the {@link ClientStatus} as snake_case JSON, with counters when monitored), {@code /healthz},
 * and whatever else the routes give ({@code /metrics}, {@code /api/events}, the dashboard), plus
 * {@code POST /api/proxies/NAME/retry} ({@link AdminRetryHandler}). Requests are bounded ({@value
 * #MAX_REQUEST_BYTES} bytes of body, of headers and of request line); an oversized request gets 413
 * and the connection is closed. Closing it closes its connections too.
 */
final class AdminServer implements AutoCloseable {

  /** The bound on a request's body, header block and request line. */
  static final int MAX_REQUEST_BYTES = AdminHttp.MAX_REQUEST_BYTES;

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final AdminHttp http;

  private AdminServer(AdminHttp http) {
    this.http = http;
  }

  /** The admin API with only {@code /api/status} (the plain status), open to anyone. */
  static AdminServer start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      Supplier<ClientStatus> status,
      Function<String, CompletableFuture<ProxyRetry>> retry)
      throws TunnelStartException {
    return start(
        group,
        channelClass,
        addr,
        port,
        AdminAccess.OPEN,
        new Routes().json("/api/status", () -> status.get().toJson()),
        retry,
        null);
  }

  /**
   * Binds the admin API on {@code addr:port} (port 0 picks a free one), with {@code POST
   * /api/reload} when {@code reload} is not null.
   *
   * @throws TunnelStartException when the bind fails, naming the address and the cause
   */
  static AdminServer start(
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      String addr,
      int port,
      AdminAccess access,
      Routes routes,
      Function<String, CompletableFuture<ProxyRetry>> retry,
      ReloadHttpHandler.Target reload)
      throws TunnelStartException {
    ObjectMapper json =
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    List<Supplier<ChannelHandler>> before = new ArrayList<>();
    before.add(() -> new AdminRetryHandler(retry, json, access));
    if (reload != null) {
      before.add(() -> new ReloadHttpHandler(reload, access));
    }
    return new AdminServer(
        AdminHttp.start(group, channelClass, addr, port, access, routes, before, "admin API", log));
  }

  /** The port actually bound. */
  int port() {
    return http.port();
  }

  /** Closes the listener and every open connection; waits unless called from the event loop. */
  @Override
  public void close() {
    http.close();
  }
}
