package dev.tlstunnel.mux;

import io.netty.channel.Channel;
import org.slf4j.Logger;

/**
 * Writes the WARN lines a peer can cause again and again by hitting a bound of the session (a SYN
 * beyond the stream limit, say). The server passes one that rate-limits them per source address;
 * {@link #EVERY_LINE} writes each of them.
 */
@FunctionalInterface
public interface LimitLog {
  /** Writes every line to the logger given. */
  LimitLog EVERY_LINE = (log, tunnel, bound, format, args) -> log.warn(format, args);

  /**
   * Writes one WARN line.
   *
   * @param log the logger of the mux class that enforces the bound
   * @param tunnel the tunnel connection whose peer hit the bound
   * @param bound the bound's name ({@link YamuxConfig.LimitNames}), to group similar lines
   * @param format an slf4j format
   * @param args its arguments
   */
  void warn(Logger log, Channel tunnel, String bound, String format, Object... args);
}
