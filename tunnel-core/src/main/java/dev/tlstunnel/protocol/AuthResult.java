package dev.tlstunnel.protocol;

/**
 * The server's answer to {@link ClientHello}.
 *
 * @param ok whether the client is authenticated
 * @param error why not, when {@code ok} is false
 * @param serverVersion the server's software version
 */
public record AuthResult(boolean ok, String error, String serverVersion)
    implements ControlMessage {}
