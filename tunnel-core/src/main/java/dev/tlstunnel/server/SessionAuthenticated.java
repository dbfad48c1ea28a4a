package dev.tlstunnel.server;

/** Fired on the tunnel pipeline when its client authenticated: the auth deadline is over. */
enum SessionAuthenticated {
  INSTANCE
}
