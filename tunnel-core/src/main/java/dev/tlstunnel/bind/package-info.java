/**
 * Listening sockets that bind on their own and retry on event-loop timers with exponential backoff
 * when the bind fails, with the diagnosis of each failure in the user's words ({@code Port 8080 is
 * already in use by another process}). Used for published ports on the server and for local
 * listeners on the client (forwarders and visitors), so all fail and recover the same way.
 */
package dev.tlstunnel.bind;
