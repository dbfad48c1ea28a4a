package dev.tlstunnel;

/**
 * A visitor connected to one of this client's private proxies.
 *
 * @param clientId the visitor's client id
 * @param connections its connections open right now
 */
public record ConnectedVisitor(String clientId, int connections) {}
