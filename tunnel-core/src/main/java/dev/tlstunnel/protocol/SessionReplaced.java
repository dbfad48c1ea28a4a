package dev.tlstunnel.protocol;

/**
 * Server to client, just before the server closes this session: a newer session of the same client
 * id replaced it. A client that does not know this message sees the session close, as before.
 *
 * @param clientId the client id both sessions use
 * @param newSession the remote address of the session that replaced this one
 */
public record SessionReplaced(String clientId, String newSession) implements ControlMessage {}
