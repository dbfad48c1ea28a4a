/**
 * Moving bytes between two channels with backpressure: a relay that reads only while the other side
 * is writable, forwards half-close as a shutdown of the peer's output, and one close-on-flush
 * helper.
 */
package dev.tlstunnel.relay;
