/**
 * Health checks of a proxy's local service, run by the client: {@link
 * dev.tlstunnel.health.HealthMonitor} probes one service on an event-loop timer (tcp connect, or an
 * HTTP/HTTPS request) and turns consecutive results into a verdict that the client reports to the
 * server. Internal: not exported.
 */
package dev.tlstunnel.health;
