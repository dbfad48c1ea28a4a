package dev.tlstunnel.protocol;

/**
 * A message on the control stream. Every message is a record carrying a {@code "type"}
 * discriminator on the wire; messages whose type this version does not know decode to {@link
 * Unknown} and are ignored.
 */
public sealed interface ControlMessage
    permits ClientHello,
        AuthResult,
        RegisterProxies,
        ProxyRegistrationResult,
        ProxyStatusUpdate,
        Heartbeat,
        RetryProxy,
        RetryProxyResult,
        SessionReplaced,
        UnregisterProxies,
        VisitNonce,
        ProxyHealth,
        GroupStatus,
        ControlMessage.Unknown {

  /** A message of a type this version does not know. Receivers ignore it. */
  record Unknown(String type) implements ControlMessage {}
}
