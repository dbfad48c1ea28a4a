/**
 * Fault notifications: each configured target ({@link dev.tlstunnel.config.NotifyConfig}) has a
 * bounded queue and one worker thread that POSTs events to a webhook (signed with HMAC-SHA256) or
 * hands them to a command on its standard input, retrying with doubling delays. Queuing never
 * blocks: a full queue drops the event and counts it, so a slow or dead receiver cannot slow the
 * tunnel. Each side turns its own listener events into {@link dev.tlstunnel.notify.Notice}s.
 */
package dev.tlstunnel.notify;
