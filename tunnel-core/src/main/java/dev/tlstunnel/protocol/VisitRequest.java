package dev.tlstunnel.protocol;

/**
 * {@code "kind": "visit"}: connect this stream to a private proxy of another client.
 *
 * @param target {@code CLIENT_ID/PROXY}, the publisher's client id and the proxy's name
 * @param seq this stream's sequence number in the session, accepted once
 * @param proof {@link VisitProof#proof}, 64 lower-case hex digits
 */
public record VisitRequest(String target, long seq, String proof) implements StreamRequest {

  /** The target and sequence number, without the proof. */
  @Override
  public String toString() {
    return "VisitRequest[target=" + target + ", seq=" + seq + "]";
  }
}
