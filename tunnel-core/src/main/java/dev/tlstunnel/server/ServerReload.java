package dev.tlstunnel.server;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.ReloadResult.Outcome;
import dev.tlstunnel.ReloadResult.Step;
import dev.tlstunnel.TlsProvider;
import dev.tlstunnel.config.NotifyConfig;
import dev.tlstunnel.config.ServerConfig;
import dev.tlstunnel.reload.Plan;
import dev.tlstunnel.reload.ReloadLog;
import dev.tlstunnel.reload.ServerPlan;
import dev.tlstunnel.reload.TlsFiles;
import dev.tlstunnel.transport.ServerTransport;
import dev.tlstunnel.transport.TlsContexts;
import dev.tlstunnel.transport.ViolationLog;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's reload: compares the new configuration with the one in force ({@link ServerPlan}),
 * prepares everything that can fail (reading and loading the certificate and key, the decoy page)
 * and only then swaps it all in at once; what could not be prepared refuses the whole reload. New
 * connections, sessions and registrations get the new settings; open ones keep theirs, except the
 * admission and per-session connection bounds, which apply at once. Reloads run one at a time.
 */
final class ServerReload {
  private static final Logger log = LoggerFactory.getLogger(TunnelServer.class);

  private final ServerContext context;
  private final ServerTunnelInitializer initializer;
  private final ViolationLog violations;
  private final TlsProvider provider;
  private final boolean sslGiven;
  private final Consumer<List<NotifyConfig>> notify;
  private SslContext ssl;
  private TlsFiles tls;

  /**
   * @param ssl the context in force (null behind a TLS-terminating proxy)
   * @param sslGiven whether the application gave it (then it is kept whatever the files say)
   * @param notify takes new notify targets
   */
  ServerReload(
      ServerContext context,
      ServerTunnelInitializer initializer,
      ViolationLog violations,
      TlsProvider provider,
      SslContext ssl,
      boolean sslGiven,
      Consumer<List<NotifyConfig>> notify) {
    this.context = context;
    this.initializer = initializer;
    this.violations = violations;
    this.provider = provider;
    this.ssl = ssl;
    this.sslGiven = sslGiven;
    this.notify = notify;
    this.tls = sslGiven ? null : readQuietly(context.config);
  }

  /** What {@code next} would change; nothing is changed. */
  synchronized ReloadResult plan(ServerConfig next) {
    Plan plan;
    try {
      plan = planOf(next);
    } catch (IOException e) {
      return refused(e.getMessage());
    }
    if (!plan.refusals().isEmpty()) {
      return plan.result(Outcome.REFUSED, String.join("\n", plan.refusals()));
    }
    return plan.result(plan.isEmpty() ? Outcome.UNCHANGED : Outcome.PLANNED, plan.summary());
  }

  /** Applies {@code next}, or nothing; logs and reports the result as {@code what}. */
  synchronized ReloadResult reload(ServerConfig next, String what) {
    ReloadResult result = apply(next);
    report(result, what);
    return result;
  }

  /** Logs a reload's result once and reports it to the listeners. */
  void report(ReloadResult result, String what) {
    ReloadLog.log(log, what, result);
    context.events.reloaded(result);
  }

  private ReloadResult apply(ServerConfig next) {
    ServerConfig current = context.config;
    Plan plan;
    TlsFiles nextTls;
    try {
      nextTls = sslGiven ? null : TlsFiles.read(certOf(next), keyOf(next));
      plan = ServerPlan.of(current, next, tls, nextTls);
    } catch (IOException e) {
      return refused(e.getMessage());
    }
    if (!plan.refusals().isEmpty()) {
      return plan.result(Outcome.REFUSED, String.join("\n", plan.refusals()));
    }
    if (plan.isEmpty()) {
      return plan.result(Outcome.UNCHANGED, "no change");
    }
    SslContext nextSsl = null;
    ServerTransport transport = null;
    try {
      nextSsl = sslFor(current, next, nextTls);
      if (nextSsl != ssl
          || !Objects.equals(current.transport(), next.transport())
          || !current.handshakeTimeout().equals(next.handshakeTimeout())) {
        transport =
            ServerTransport.create(next.transport(), nextSsl, next.handshakeTimeout(), violations);
      }
    } catch (IOException e) {
      if (nextSsl != ssl) {
        ReferenceCountUtil.release(nextSsl);
      }
      return plan.result(Outcome.REFUSED, e.getMessage());
    }
    swap(current, next, nextSsl, transport);
    tls = nextTls;
    return new ReloadResult(
        Outcome.APPLIED,
        plan.changes().stream().map(c -> c.with(Step.APPLIED, null)).toList(),
        plan.summary());
  }

  /** Puts everything prepared in force; nothing here can fail. */
  private void swap(
      ServerConfig current, ServerConfig next, SslContext nextSsl, ServerTransport transport) {
    context.keys.rotate(next.authKey(), next.reload().keyRotationWindow());
    context.adopt(next);
    context.admission.limits(next.limits());
    if (!current.egress().equals(next.egress())) {
      context.egress.update(next.egress());
    }
    if (!current.monitoring().notifications().equals(next.monitoring().notifications())) {
      notify.accept(next.monitoring().notifications());
    }
    for (ServerSession session : context.sessions) {
      session
          .gate()
          .bounds(next.limits().maxConnectionsPerProxy(), next.limits().maxPendingConnects());
    }
    if (transport != null) {
      initializer.transport(transport);
    }
    if (nextSsl != ssl) {
      SslContext old = ssl;
      ssl = nextSsl;
      if (old != null && !sslGiven) {
        ReferenceCountUtil.release(old); // handshakes under way hold their own reference
      }
    }
  }

  /** The TLS context of {@code next}: the one in force when nothing it is made of changed. */
  private SslContext sslFor(ServerConfig current, ServerConfig next, TlsFiles nextTls)
      throws IOException {
    if (next.transport().behindProxy()) {
      return null;
    }
    if (sslGiven) {
      return ssl;
    }
    boolean same =
        ssl != null
            && Objects.equals(tls, nextTls)
            && Objects.equals(current.certPath(), next.certPath())
            && Objects.equals(current.keyPath(), next.keyPath())
            && current.transport().transport() == next.transport().transport();
    if (same) {
      return ssl;
    }
    return TlsContexts.forServer(
        next.certPath(), next.keyPath(), provider, ServerTransport.alpn(next.transport()));
  }

  private Plan planOf(ServerConfig next) throws IOException {
    TlsFiles nextTls = sslGiven ? null : TlsFiles.read(certOf(next), keyOf(next));
    return ServerPlan.of(context.config, next, tls, nextTls);
  }

  private static java.nio.file.Path certOf(ServerConfig c) {
    return c.transport().behindProxy() ? null : c.certPath();
  }

  private static java.nio.file.Path keyOf(ServerConfig c) {
    return c.transport().behindProxy() ? null : c.keyPath();
  }

  private static TlsFiles readQuietly(ServerConfig c) {
    try {
      return TlsFiles.read(certOf(c), keyOf(c));
    } catch (IOException e) {
      return null;
    }
  }

  private static ReloadResult refused(String why) {
    return new ReloadResult(Outcome.REFUSED, java.util.List.of(), why);
  }
}
