/**
 * Counters both ends of a tunnel keep: per proxy, forwarder and session traffic ({@link Traffic}),
 * fixed-bucket histograms, one-second rate windows, the bound on label values, and the Prometheus
 * exposition of it all. The hot path only adds to {@link java.util.concurrent.atomic.LongAdder}s:
 * no lock, no allocation per buffer; rates are sampled once a second off that path.
 */
package dev.tlstunnel.metrics;
