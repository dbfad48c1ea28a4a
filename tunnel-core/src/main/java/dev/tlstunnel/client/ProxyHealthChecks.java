package dev.tlstunnel.client;

import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.config.ProxyType;
import dev.tlstunnel.health.HealthMonitor;
import dev.tlstunnel.protocol.ProxyHealth;
import dev.tlstunnel.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health checks of a client's proxies: one {@link HealthMonitor} per proxy with a {@code
 * health_check}, running from the client's start to its end (across sessions). Each change of
 * verdict goes to the {@link ProxyStateTracker} (the proxy is {@code local_unhealthy} while its
 * service fails) and, as {@code proxy_health}, to the server, which then sends the proxy no
 * connections. A new session is told every proxy that is unhealthy right after its registration.
 * Confined to the client's event loop.
 */
final class ProxyHealthChecks {
  private static final Logger log = LoggerFactory.getLogger(ProxyHealthChecks.class);

  private final EventLoop loop;
  private final Map<String, HealthMonitor> monitors = new LinkedHashMap<>();
  private final Map<String, String> unhealthy = new LinkedHashMap<>();
  private ProxyStateTracker tracker;
  private Channel control;

  ProxyHealthChecks(List<ProxyConfig> proxies, Transport transport, EventLoop loop) {
    this.loop = loop;
    for (ProxyConfig p : proxies) {
      if (p.healthCheck() != null) {
        monitors.put(p.name(), monitor(p, transport));
      }
    }
  }

  private HealthMonitor monitor(ProxyConfig p, Transport transport) {
    try {
      return new HealthMonitor(
          p.healthCheck(),
          p.localAddr(),
          p.localPort(),
          p.proxyType() == ProxyType.SSH,
          loop,
          transport.socketChannelClass(),
          (healthy, reason) -> changed(p.name(), healthy, reason));
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for the https health check", e);
    }
  }

  /** Starts every check; verdicts go to {@code states}. */
  void start(ProxyStateTracker states) {
    loop.execute(
        () -> {
          tracker = states;
          monitors.forEach(
              (name, m) -> {
                log.info("Proxy '{}' health check: {}", name, m.describe());
                m.start();
              });
        });
  }

  /** Stops every check (a probe in flight ends unheard). */
  void stop() {
    monitors.values().forEach(HealthMonitor::stop);
  }

  /**
   * The proxies are registered on {@code controlStream}: it hears every verdict from now on,
   * starting with the proxies that are unhealthy right now.
   */
  void attach(Channel controlStream) {
    loop.execute(
        () -> {
          control = controlStream;
          unhealthy.forEach((name, reason) -> send(new ProxyHealth(name, false, reason)));
        });
  }

  /** That control stream closed. */
  void detach(Channel controlStream) {
    loop.execute(
        () -> {
          if (control == controlStream) {
            control = null;
          }
        });
  }

  private void changed(String proxy, boolean healthy, String reason) {
    if (healthy) {
      unhealthy.remove(proxy);
    } else {
      unhealthy.put(proxy, reason);
    }
    if (tracker != null) {
      tracker.onLocalHealth(proxy, healthy, reason);
    }
    send(new ProxyHealth(proxy, healthy, reason));
  }

  private void send(ProxyHealth message) {
    if (control != null && control.isActive()) {
      control.writeAndFlush(message);
    }
  }
}
