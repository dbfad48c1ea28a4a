package dev.tlstunnel.cli;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback {@code %component}: the part of the product a log line comes from, e.g. {@code server}
 * for {@code dev.tlstunnel.server.ProxyBinder}; the simple logger name for other libraries.
 */
public final class LogComponentConverter extends ClassicConverter {
  private static final String PREFIX = LogLevels.OUR_LOGGER + ".";

  @Override
  public String convert(ILoggingEvent event) {
    return component(event.getLoggerName());
  }

  static String component(String loggerName) {
    if (loggerName.startsWith(PREFIX)) {
      String rest = loggerName.substring(PREFIX.length());
      int dot = rest.indexOf('.');
      return dot < 0 ? rest : rest.substring(0, dot);
    }
    int dot = loggerName.lastIndexOf('.');
    return dot < 0 ? loggerName : loggerName.substring(dot + 1);
  }
}
