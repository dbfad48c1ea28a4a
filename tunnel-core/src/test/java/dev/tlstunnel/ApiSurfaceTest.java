package dev.tlstunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tlstunnel.server.TunnelServer;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The library's public surface, as an embedding application sees it: the module exports only the
 * API packages, and every type there that is accessible from outside is listed below. A new public
 * type fails this test until it is added here on purpose (and documented in EMBEDDING.md).
 */
@Timeout(30)
class ApiSurfaceTest {
  private static final Set<String> API_PACKAGES =
      Set.of(
          "dev.tlstunnel", "dev.tlstunnel.client", "dev.tlstunnel.config", "dev.tlstunnel.server");

  private static final List<String> API_TYPES =
      """
      dev.tlstunnel.ConnectedVisitor
      dev.tlstunnel.Failure
      dev.tlstunnel.FailureKind
      dev.tlstunnel.ForwarderState
      dev.tlstunnel.GroupMember
      dev.tlstunnel.GroupState
      dev.tlstunnel.IoTransport
      dev.tlstunnel.ProxyStatus
      dev.tlstunnel.ReloadResult
      dev.tlstunnel.ReloadResult$Action
      dev.tlstunnel.ReloadResult$Change
      dev.tlstunnel.ReloadResult$Kind
      dev.tlstunnel.ReloadResult$Outcome
      dev.tlstunnel.ReloadResult$Step
      dev.tlstunnel.TlsProvider
      dev.tlstunnel.TunnelException
      dev.tlstunnel.TunnelStartException
      dev.tlstunnel.Version
      dev.tlstunnel.VisitorState
      dev.tlstunnel.client.ClientEvent
      dev.tlstunnel.client.ClientEvent$ConnectFailed
      dev.tlstunnel.client.ClientEvent$Connected
      dev.tlstunnel.client.ClientEvent$ConnectionClosed
      dev.tlstunnel.client.ClientEvent$ConnectionFailed
      dev.tlstunnel.client.ClientEvent$ConnectionOpened
      dev.tlstunnel.client.ClientEvent$Connecting
      dev.tlstunnel.client.ClientEvent$Disconnected
      dev.tlstunnel.client.ClientEvent$ProxyRegistered
      dev.tlstunnel.client.ClientEvent$ProxyRejected
      dev.tlstunnel.client.ClientEvent$ProxyStatusChanged
      dev.tlstunnel.client.ClientEvent$Reloaded
      dev.tlstunnel.client.ClientEvent$Stopped
      dev.tlstunnel.client.ClientEvent$VisitorRefused
      dev.tlstunnel.client.ClientExit
      dev.tlstunnel.client.ClientStatus
      dev.tlstunnel.client.ProxyHandle
      dev.tlstunnel.client.ProxyRetry
      dev.tlstunnel.client.ProxyRetry$Outcome
      dev.tlstunnel.client.ProxyState
      dev.tlstunnel.client.RouteCheck
      dev.tlstunnel.client.SessionState
      dev.tlstunnel.client.TunnelClient
      dev.tlstunnel.client.TunnelClient$Builder
      dev.tlstunnel.client.TunnelClient$Listener
      dev.tlstunnel.config.Addresses
      dev.tlstunnel.config.BindRetryPolicy
      dev.tlstunnel.config.ClientConfig
      dev.tlstunnel.config.ClientConfig$Builder
      dev.tlstunnel.config.ClientTransportConfig
      dev.tlstunnel.config.ClusterConfig
      dev.tlstunnel.config.ConfigException
      dev.tlstunnel.config.ConfigException$Problem
      dev.tlstunnel.config.ConfigLoader
      dev.tlstunnel.config.ConfigLoader$Kind
      dev.tlstunnel.config.DomainStrategy
      dev.tlstunnel.config.EdgeConfig
      dev.tlstunnel.config.EdgeConfig$ProxyProtocolMode
      dev.tlstunnel.config.Durations
      dev.tlstunnel.config.EgressConfig
      dev.tlstunnel.config.EgressRules
      dev.tlstunnel.config.Fingerprints
      dev.tlstunnel.config.ForwarderConfig
      dev.tlstunnel.config.ForwarderType
      dev.tlstunnel.config.HealthCheck
      dev.tlstunnel.config.HealthCheck$Type
      dev.tlstunnel.config.KeepAlive
      dev.tlstunnel.config.Limits
      dev.tlstunnel.config.Limits$Builder
      dev.tlstunnel.config.LoadBalancing
      dev.tlstunnel.config.LoadBalancing$Strategy
      dev.tlstunnel.config.MonitoringConfig
      dev.tlstunnel.config.NotifyConfig
      dev.tlstunnel.config.PrivateProxyConfig
      dev.tlstunnel.config.ProxyConfig
      dev.tlstunnel.config.ProxyConfig$Builder
      dev.tlstunnel.config.ProxyProtocolVersion
      dev.tlstunnel.config.ProxyType
      dev.tlstunnel.config.ProxyUrl
      dev.tlstunnel.config.ProxyUrl$Kind
      dev.tlstunnel.config.ReconnectPolicy
      dev.tlstunnel.config.ReloadConfig
      dev.tlstunnel.config.RouteRule
      dev.tlstunnel.config.RouteVia
      dev.tlstunnel.config.RoutingConfig
      dev.tlstunnel.config.ServerConfig
      dev.tlstunnel.config.ServerConfig$Builder
      dev.tlstunnel.config.ServerTransportConfig
      dev.tlstunnel.config.TunnelTransport
      dev.tlstunnel.config.VisitorConfig
      dev.tlstunnel.server.ServerEvent
      dev.tlstunnel.server.ServerEvent$BindFailed
      dev.tlstunnel.server.ServerEvent$BindRetryScheduled
      dev.tlstunnel.server.ServerEvent$ClientConnected
      dev.tlstunnel.server.ServerEvent$ClientDisconnected
      dev.tlstunnel.server.ServerEvent$ProxyBound
      dev.tlstunnel.server.ServerEvent$ProxyHealthChanged
      dev.tlstunnel.server.ServerEvent$ProxyRejected
      dev.tlstunnel.server.ServerEvent$PublicConnectionClosed
      dev.tlstunnel.server.ServerEvent$PublicConnectionOpened
      dev.tlstunnel.server.ServerEvent$PublicConnectionRefused
      dev.tlstunnel.server.ServerEvent$Reloaded
      dev.tlstunnel.server.ServerEvent$Started
      dev.tlstunnel.server.ServerEvent$Stopped
      dev.tlstunnel.server.ServerSnapshot
      dev.tlstunnel.server.ServerSnapshot$GroupInfo
      dev.tlstunnel.server.ServerSnapshot$ProxyInfo
      dev.tlstunnel.server.ServerSnapshot$SessionInfo
      dev.tlstunnel.server.TunnelServer
      dev.tlstunnel.server.TunnelServer$Builder
      dev.tlstunnel.server.TunnelServer$Listener
      """
          .lines()
          .map(String::strip)
          .toList();

  @Test
  void theModuleExportsOnlyTheApiPackagesAndOpensNothingToEveryone() throws Exception {
    ModuleDescriptor module =
        ModuleFinder.of(classes()).find("dev.tlstunnel.core").orElseThrow().descriptor();
    assertThat(module.exports())
        .allSatisfy(e -> assertThat(e.isQualified()).as(e.source()).isFalse())
        .extracting(ModuleDescriptor.Exports::source)
        .containsExactlyInAnyOrderElementsOf(API_PACKAGES);
    assertThat(module.opens()).allSatisfy(o -> assertThat(o.isQualified()).isTrue());
    assertThat(module.packages()).contains("dev.tlstunnel.mux", "dev.tlstunnel.protocol");
  }

  @Test
  void everyPublicTypeOfTheApiPackagesIsListed() throws Exception {
    assertThat(accessibleTypes()).containsExactlyElementsOf(new TreeSet<>(API_TYPES));
  }

  private static Set<String> accessibleTypes() throws Exception {
    Path root = classes();
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        int dot = name.lastIndexOf('.');
        if (dot < 0 || !API_PACKAGES.contains(name.substring(0, dot))) {
          continue;
        }
        Class<?> type = Class.forName(name, false, ApiSurfaceTest.class.getClassLoader());
        if (accessible(type)) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** Public, and so is every type it is nested in; anonymous and local classes are not. */
  private static boolean accessible(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static Path classes() throws IOException {
    try {
      return Path.of(
          TunnelServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }
}
