package dev.tlstunnel.reload;

import dev.tlstunnel.ReloadResult.Action;
import dev.tlstunnel.ReloadResult.Kind;
import dev.tlstunnel.config.Addresses;
import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.ClientTransportConfig;
import dev.tlstunnel.config.Durations;
import dev.tlstunnel.config.ForwarderConfig;
import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ProxyUrl;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.VisitorConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The plan of a client's reload: its proxies and forwarders compared by name, then its settings.
 * What a proxy is published as and where it leads is its identity (a change restarts it); its retry
 * policy and type change in place. Settings of the session with the server (address, key, trust,
 * transport, client id) take a graceful reconnect; the admin API's address, private proxies and
 * visitors cannot change while the client runs (the reload is refused, naming the key).
 */
public final class ClientPlan {
  private static final String RESTART_CLIENT =
      "cannot change while the client runs; restart the client to apply it";

  private ClientPlan() {}

  /** What {@code next} changes compared with {@code current}. */
  public static Plan of(ClientConfig current, ClientConfig next) {
    String grace = Durations.format(next.shutdownGrace());
    PlanBuilder plan = new PlanBuilder();
    Set<String> privates = privateChanges(current.proxies(), next.proxies());
    plan.entries(
        Kind.PROXY,
        publicOnes(current.proxies(), privates),
        publicOnes(next.proxies(), privates),
        ProxyConfig::name,
        proxies(grace));
    refuseAll(plan, "proxies", current.proxies(), next.proxies(), ProxyConfig::name, privates);
    Set<String> visitors = changed(current.visitors(), next.visitors(), VisitorConfig::name);
    refuseAll(plan, "visitors", current.visitors(), next.visitors(), VisitorConfig::name, visitors);
    plan.entries(
        Kind.FORWARDER,
        current.forwarders(),
        next.forwarders(),
        ForwarderConfig::name,
        forwarders(grace));
    session(plan, current, next);
    local(plan, current, next);
    return plan.build();
  }

  /** Private proxies that are added, removed or changed, or that become or stop being private. */
  private static Set<String> privateChanges(List<ProxyConfig> old, List<ProxyConfig> next) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : changed(old, next, ProxyConfig::name)) {
      boolean wasPrivate = old.stream().anyMatch(p -> p.name().equals(name) && p.isPrivate());
      boolean isPrivate = next.stream().anyMatch(p -> p.name().equals(name) && p.isPrivate());
      if (wasPrivate || isPrivate) {
        names.add(name);
      }
    }
    return names;
  }

  private static List<ProxyConfig> publicOnes(List<ProxyConfig> proxies, Set<String> excluded) {
    return proxies.stream().filter(p -> !excluded.contains(p.name())).toList();
  }

  /** The names of the entries that are added, removed or changed. */
  private static <T> Set<String> changed(List<T> old, List<T> next, Function<T, String> name) {
    Set<String> names = new LinkedHashSet<>();
    for (T e : next) {
      if (!old.contains(e)) {
        names.add(name.apply(e));
      }
    }
    for (T e : old) {
      if (!next.contains(e)) {
        names.add(name.apply(e));
      }
    }
    return names;
  }

  /**
   * Refuses the reload for each entry named in {@code names}, keyed by its place in the new file
   * ({@code visitors[1]}), or in the running one when it was removed.
   */
  private static <T> void refuseAll(
      PlanBuilder plan,
      String section,
      List<T> old,
      List<T> next,
      Function<T, String> name,
      Set<String> names) {
    for (String n : names) {
      int at = indexOf(next, name, n);
      String what = at >= 0 ? (indexOf(old, name, n) >= 0 ? "changed" : "added") : "removed";
      int index = at >= 0 ? at : indexOf(old, name, n);
      String kind = section.equals("visitors") ? "visitors" : "private proxies";
      plan.add(
          Kind.SETTING,
          section + "[" + index + "]",
          Action.REFUSED,
          "'" + n + "' " + what + ": " + kind + " " + RESTART_CLIENT);
    }
  }

  private static <T> int indexOf(List<T> list, Function<T, String> name, String n) {
    for (int i = 0; i < list.size(); i++) {
      if (name.apply(list.get(i)).equals(n)) {
        return i;
      }
    }
    return -1;
  }

  private static void session(PlanBuilder plan, ClientConfig a, ClientConfig b) {
    Action r = Action.RECONNECT;
    plan.setting("client.server_addr", a.serverAddr(), b.serverAddr(), r, null)
        .setting("client.server_port", a.serverPort(), b.serverPort(), r, null)
        .hidden("client.auth_key", a.authKey(), b.authKey(), r, null)
        .setting("client.client_id", a.clientId(), b.clientId(), r, null)
        .setting("client.server_fingerprint", a.serverFingerprint(), b.serverFingerprint(), r, null)
        .setting("client.ca_cert_path", a.caCertPath(), b.caCertPath(), r, null)
        .setting("client.skip_verify", a.skipVerify(), b.skipVerify(), r, null);
    ClientTransportConfig t = a.transport();
    ClientTransportConfig u = b.transport();
    plan.setting(
            "client.transport", t.transport().configName(), u.transport().configName(), r, null)
        .setting("client.path", t.path(), u.path(), r, null)
        .setting("client.host", t.host(), u.host(), r, null)
        .hidden("client.headers", t.headers(), u.headers(), r, null)
        .setting("client.ping_interval", t.pingInterval(), u.pingInterval(), r, null)
        .setting("client.proxy_url", redacted(t.proxyUrl()), redacted(u.proxyUrl()), r, null);
    if (java.util.Objects.equals(redacted(t.proxyUrl()), redacted(u.proxyUrl()))) {
      plan.hidden("client.proxy_url", t.proxyUrl(), u.proxyUrl(), r, "its credentials");
    }
    plan.setting("client.admin_addr", a.adminAddr(), b.adminAddr(), Action.REFUSED, RESTART_CLIENT)
        .setting("client.admin_port", a.adminPort(), b.adminPort(), Action.REFUSED, RESTART_CLIENT);
    MonitoringPlan.add(plan, "client", a.monitoring(), b.monitoring(), false, RESTART_CLIENT);
  }

  private static void local(PlanBuilder plan, ClientConfig a, ClientConfig b) {
    Action u = Action.UPDATE;
    String nextSession = "from the next connection to the server";
    plan.setting(
            "client.exit_on_bind_failure", a.exitOnBindFailure(), b.exitOnBindFailure(), u, null)
        .setting(
            "client.local_connect_retries",
            a.localConnectRetries(),
            b.localConnectRetries(),
            u,
            null)
        .setting("client.local_retry_delay", a.localRetryDelay(), b.localRetryDelay(), u, null)
        .setting(
            "client.local_connect_timeout",
            a.localConnectTimeout(),
            b.localConnectTimeout(),
            u,
            null)
        .setting(
            "client.keepalive_interval",
            a.keepAlive().interval(),
            b.keepAlive().interval(),
            u,
            nextSession)
        .setting(
            "client.keepalive_timeout",
            a.keepAlive().timeout(),
            b.keepAlive().timeout(),
            u,
            nextSession)
        .setting("client.shutdown_grace", a.shutdownGrace(), b.shutdownGrace(), u, null);
    ReconnectPolicy p = a.reconnect();
    ReconnectPolicy q = b.reconnect();
    plan.setting("client.reconnect.enabled", p.enabled(), q.enabled(), u, null)
        .setting("client.reconnect.initial_delay", p.initialDelay(), q.initialDelay(), u, null)
        .setting("client.reconnect.max_delay", p.maxDelay(), q.maxDelay(), u, null)
        .setting(
            "client.reconnect.retry_on_auth_failure",
            p.retryOnAuthFailure(),
            q.retryOnAuthFailure(),
            u,
            null);
    Settings.reload(plan, "client", a.reload(), b.reload(), false);
  }

  private static String redacted(String proxyUrl) {
    return proxyUrl == null ? null : ProxyUrl.redact(proxyUrl);
  }

  private static PlanBuilder.EntryRules<ProxyConfig> proxies(String grace) {
    return new PlanBuilder.EntryRules<>() {
      @Override
      public String added(ProxyConfig p) {
        return "publish " + publish(p) + ", local " + local(p);
      }

      @Override
      public String removed(ProxyConfig p) {
        return "open connections may finish within shutdown_grace (" + grace + ")";
      }

      @Override
      public String identity(ProxyConfig old, ProxyConfig next) {
        return new Fields()
            .add("publish", publish(old), publish(next))
            .add("local", local(old), local(next))
            .text();
      }

      @Override
      public String inPlace(ProxyConfig old, ProxyConfig next) {
        Fields f = new Fields().add("proxy_type", type(old), type(next));
        retry(f, "bind_retry", old.bindRetry(), next.bindRetry());
        return f.text();
      }

      @Override
      public String restarted(ProxyConfig old) {
        return "open connections may finish within shutdown_grace (" + grace + ")";
      }
    };
  }

  private static PlanBuilder.EntryRules<ForwarderConfig> forwarders(String grace) {
    return new PlanBuilder.EntryRules<>() {
      @Override
      public String added(ForwarderConfig f) {
        return f.type().configName() + " on " + listen(f);
      }

      @Override
      public String removed(ForwarderConfig f) {
        return "open connections may finish within shutdown_grace (" + grace + ")";
      }

      @Override
      public String identity(ForwarderConfig old, ForwarderConfig next) {
        return new Fields()
            .add("type", old.type().configName(), next.type().configName())
            .add("listen", listen(old), listen(next))
            .text();
      }

      @Override
      public String inPlace(ForwarderConfig old, ForwarderConfig next) {
        Fields f =
            new Fields()
                .add("username", old.username(), next.username())
                .secret("password", old.password(), next.password())
                .add("max_connections", old.maxConnections(), next.maxConnections())
                .add("max_request_head", old.maxRequestHead(), next.maxRequestHead())
                .add("handshake_timeout", old.handshakeTimeout(), next.handshakeTimeout())
                .add("idle_timeout", old.idleTimeout(), next.idleTimeout())
                .add("connect_timeout", old.connectTimeout(), next.connectTimeout())
                .changed("routing", old.routing(), next.routing())
                .changed("direct", old.direct(), next.direct());
        retry(f, "bind_retry", old.bindRetry(), next.bindRetry());
        return f.text();
      }

      @Override
      public String restarted(ForwarderConfig old) {
        return "open connections may finish within shutdown_grace (" + grace + ")";
      }
    };
  }

  /** The differences of two retry policies, field by field ({@code null}: the default). */
  static void retry(Fields f, String key, BindRetryPolicy old, BindRetryPolicy next) {
    if (old == null || next == null) {
      f.add(
          key, old == null ? "default" : describe(old), next == null ? "default" : describe(next));
      return;
    }
    f.add(key + ".max_retries", old.maxRetries(), next.maxRetries())
        .add(key + ".initial_delay", old.initialDelay(), next.initialDelay())
        .add(key + ".max_delay", old.maxDelay(), next.maxDelay());
  }

  private static String describe(BindRetryPolicy p) {
    return "{max_retries "
        + p.maxRetries()
        + ", initial_delay "
        + Durations.format(p.initialDelay())
        + ", max_delay "
        + Durations.format(p.maxDelay())
        + "}";
  }

  private static String publish(ProxyConfig p) {
    return Addresses.hostPort(p.publishAddr(), p.publishPort());
  }

  private static String local(ProxyConfig p) {
    return Addresses.hostPort(p.localAddr(), p.localPort());
  }

  private static String type(ProxyConfig p) {
    return p.proxyType() == null ? null : p.proxyType().configName();
  }

  private static String listen(ForwarderConfig f) {
    return Addresses.hostPort(f.bindAddr(), f.bindPort());
  }
}
