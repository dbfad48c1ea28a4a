package dev.tlstunnel.client;

import dev.tlstunnel.config.ProxyConfig;
import dev.tlstunnel.protocol.ProxyRegistrationResult;
import dev.tlstunnel.protocol.ProxyStatusUpdate;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/** Placeholder: keeps the latest state of each proxy (written separately). */
final class ProxyStateTracker {
  ProxyStateTracker(List<ProxyConfig> proxies, Clock clock) {}

  void onRegistrationResult(ProxyRegistrationResult r) {}

  void onStatusUpdate(ProxyStatusUpdate u) {}

  void onSessionLost() {}

  List<ProxyState> snapshot() {
    return List.of();
  }

  boolean anyFailed() {
    return false;
  }

  void onChange(Consumer<ProxyState> listener) {}
}
