/**
 * yamux, as specified by HashiCorp: the 12-byte frame codec, per-stream flow control and a
 * multiplex handler that turns every stream into a child {@link io.netty.channel.Channel} of the
 * tunnel channel. Stream backpressure maps onto the child channel's writability and auto-read.
 */
package dev.tlstunnel.mux;
