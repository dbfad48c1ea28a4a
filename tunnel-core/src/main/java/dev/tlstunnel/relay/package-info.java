/**
 * Pieces both ends of a tunnel share: a relay that reads only while the other side is writable and
 * forwards half-close as a shutdown of the peer's output, one close-on-flush helper, and dead-peer
 * detection for tunnel connections.
 */
package dev.tlstunnel.relay;
