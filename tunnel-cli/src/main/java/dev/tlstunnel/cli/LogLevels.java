package dev.tlstunnel.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Sets log levels at run time from {@code -v}, {@code -vv} and {@code --log-level}. */
public final class LogLevels {

  /** The logger our packages log under. */
  public static final String OUR_LOGGER = "dev.tlstunnel";

  /** The levels a user may ask for. */
  public enum Level {
    ERROR,
    WARN,
    INFO,
    DEBUG,
    TRACE
  }

  private LogLevels() {}

  /**
   * Applies the level for our packages: {@code explicit} when given, else INFO, DEBUG for one
   * {@code -v} and TRACE for two. Netty stays at WARN unless TRACE asks for everything.
   */
  public static void apply(int verbosity, Level explicit) {
    Level level = explicit != null ? explicit : fromVerbosity(verbosity);
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.getLogger(OUR_LOGGER).setLevel(ch.qos.logback.classic.Level.toLevel(level.name()));
    context.getLogger("io.netty").setLevel(ch.qos.logback.classic.Level.WARN);
  }

  /** The level for a number of {@code -v} flags. */
  static Level fromVerbosity(int verbosity) {
    if (verbosity >= 2) {
      return Level.TRACE;
    }
    return verbosity == 1 ? Level.DEBUG : Level.INFO;
  }
}
