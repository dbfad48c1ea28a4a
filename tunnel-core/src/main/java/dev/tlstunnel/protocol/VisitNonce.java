package dev.tlstunnel.protocol;

/**
 * Server to client, once per session right after a successful {@code auth_result}: the fresh random
 * value that every visit proof of this session covers ({@link VisitProof}). A client without
 * visitors ignores it.
 *
 * @param nonce 32 random bytes as 64 lower-case hex digits
 */
public record VisitNonce(String nonce) implements ControlMessage {}
