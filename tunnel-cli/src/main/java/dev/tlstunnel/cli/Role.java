package dev.tlstunnel.cli;

/** The two sides a config file, a template or a service is for. */
enum Role {
  SERVER,
  CLIENT
}
