package dev.tlstunnel.relay;

import io.netty.channel.Channel;

/** Links two channels so that bytes flow both ways with backpressure and half-close. */
public final class Relay {
  /** The name of the relay handler in each pipeline. */
  public static final String HANDLER_NAME = "relay";

  private Relay() {}

  /**
   * Starts relaying between {@code a} and {@code b}. Both must have auto-read off and be active;
   * each gets a {@link RelayHandler} at the end of its pipeline, and reading starts on both.
   */
  public static void link(Channel a, Channel b) {
    a.pipeline().addLast(HANDLER_NAME, new RelayHandler(b));
    b.pipeline().addLast(HANDLER_NAME, new RelayHandler(a));
    a.read();
    b.read();
  }
}
