/**
 * Listening sockets that must not fail as a whole: {@link dev.tlstunnel.bind.RetryingListener}
 * binds on its own and retries with backoff on event-loop timers, {@link
 * dev.tlstunnel.bind.BindDiagnostics} names why a bind failed. A leaf shared by the server
 * (published ports) and the client (visitors' local listeners); it imports neither.
 */
package dev.tlstunnel.bind;
