package dev.tlstunnel.protocol;

/**
 * Either side, periodically: keeps the control stream alive and carries a timestamp for round-trip
 * time.
 *
 * @param timestampMillis the sender's wall clock in milliseconds
 * @param reply true when answering the peer's heartbeat
 */
public record Heartbeat(long timestampMillis, boolean reply) implements ControlMessage {}
