package dev.tlstunnel.protocol;

/**
 * A bind retry policy on the wire. Durations are in milliseconds; {@code maxRetries = -1} means
 * retry forever.
 *
 * @param maxRetries retries after the first attempt, or -1 for no limit
 * @param initialDelayMs the wait before the first retry
 * @param maxDelayMs the cap of the doubling wait
 */
public record BindRetrySpec(int maxRetries, long initialDelayMs, long maxDelayMs) {}
