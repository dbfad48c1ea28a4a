package dev.tlstunnel.cli;

import dev.tlstunnel.ReloadResult;
import dev.tlstunnel.client.ClientEvent;
import dev.tlstunnel.client.TunnelClient;
import dev.tlstunnel.config.ReloadConfig;
import dev.tlstunnel.server.ServerEvent;
import dev.tlstunnel.server.TunnelServer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How the long-running commands take a changed config file: the file and the reload socket given to
 * the builder, SIGHUP, and the file's {@code log_level} applied at start and after each reload
 * (unless {@code -v} or {@code --log-level} chose the level).
 */
final class ConfigReloads {
  private ConfigReloads() {}

  /** Sets up {@code client} to reload {@code config}; null: started without a file, nothing. */
  static TunnelClient.Builder client(
      TunnelClient.Builder client,
      Main main,
      Path config,
      Path stateDir,
      Supplier<ReloadConfig> in) {
    if (config == null) {
      return client;
    }
    client.configFile(config);
    ReloadSocket.listen(stateDir, config, client::controlSocket);
    client.listener(
        new TunnelClient.Listener() {
          @Override
          public void reloaded(ClientEvent.Reloaded event) {
            levelAfter(main, event.result(), in);
          }
        });
    return client;
  }

  /** Sets up {@code server} to apply the log level after each reload. */
  static TunnelServer.Builder server(
      TunnelServer.Builder server, Main main, Supplier<ReloadConfig> in) {
    return server.listener(
        new TunnelServer.Listener() {
          @Override
          public void reloaded(ServerEvent.Reloaded event) {
            levelAfter(main, event.result(), in);
          }
        });
  }

  /** SIGHUP reloads the file from now on. */
  static void onHangup(Main main, Runnable reload) {
    main.stopSignal().onHangup(reload);
  }

  /** Applies {@code settings}' log level, unless the command line chose one. */
  static void level(Main main, ReloadConfig settings) {
    if (settings.logLevel() != null && !main.logLevelFromCommandLine()) {
      LogLevels.apply(0, LogLevels.Level.valueOf(settings.logLevel().toUpperCase(Locale.ROOT)));
    }
  }

  private static void levelAfter(Main main, ReloadResult result, Supplier<ReloadConfig> in) {
    if (result.outcome() == ReloadResult.Outcome.APPLIED) {
      level(main, in.get());
    }
  }
}
