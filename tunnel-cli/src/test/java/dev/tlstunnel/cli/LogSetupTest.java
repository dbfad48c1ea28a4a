package dev.tlstunnel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LogSetupTest {

  @Test
  @Timeout(10)
  void configuresStderrWithTheComponentPatternAndOurLevels() {
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);
    assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(LogLevels.OUR_LOGGER).getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    ConsoleAppender<ILoggingEvent> stderr =
        (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(stderr.isStarted()).isTrue();
    LoggingEvent event =
        new LoggingEvent(
            "x",
            context.getLogger("dev.tlstunnel.server.ProxyBinder"),
            Level.INFO,
            "Bound",
            null,
            null);
    long millis =
        LocalDateTime.of(2026, 1, 2, 3, 4, 5).atZone(ZoneId.systemDefault()).toEpochSecond() * 1000;
    event.setTimeStamp(millis + 678);
    String line =
        ((LayoutWrappingEncoder<ILoggingEvent>) stderr.getEncoder()).getLayout().doLayout(event);
    assertThat(line)
        .isEqualTo("2026-01-02 03:04:05.678 INFO  [server] Bound" + System.lineSeparator());
  }
}
