package dev.tlstunnel.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the formatted messages a logger writes, for exact assertions on log lines. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture(Class<?> loggerOf) {
    this(LoggerFactory.getLogger(loggerOf).getName());
  }

  /** Captures the logger named {@code loggerName}. */
  public LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures every logger of the project ({@code dev.tlstunnel} and below). */
  public static LogCapture all() {
    return new LogCapture("dev.tlstunnel");
  }

  /** The formatted messages so far, oldest first. */
  public List<String> messages() {
    synchronized (appender.list) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The formatted WARN messages so far that contain {@code text}, oldest first. */
  public List<String> warnings(String text) {
    synchronized (appender.list) {
      return appender.list.stream()
          .filter(e -> e.getLevel() == Level.WARN)
          .map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains(text))
          .toList();
    }
  }

  /** The formatted messages logged at {@code level} (e.g. {@code "WARN"}) so far, oldest first. */
  public List<String> messagesAt(String level) {
    synchronized (appender.list) {
      return appender.list.stream()
          .filter(e -> e.getLevel().toString().equals(level))
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  /** Forgets what was captured so far. */
  public void clear() {
    synchronized (appender.list) {
      appender.list.clear();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
