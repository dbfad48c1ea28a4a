package dev.tlstunnel.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The visit proof: a vector computed with Python's hmac module, and what must not match. */
@Timeout(10)
class VisitProofTest {
  private static final String SECRET = "visitor-secret-0123456789";
  private static final String NONCE = "00".repeat(16) + "ff".repeat(16);
  // python3: hmac.new(b'visitor-secret-0123456789', b'tls-tunnel visitor key v1\noffice/ssh',
  // hashlib.sha256), then hmac.new(key, b'tls-tunnel visit v1\n<nonce>\n7\noffice/ssh\nlaptop',
  // ...)
  private static final String KEY =
      "6f383b0a1054590f1cbea007dd45d58336166fe3b07e9f6ca86bb24041e1b111";
  private static final String PROOF =
      "3d1cffad7b69f31b9238e0d9677684ddca104cc1592d5650e6391b2dc4b50b31";

  @Test
  void matchesAnIndependentImplementation() {
    assertThat(VisitProof.visitorKey(SECRET, "office/ssh")).isEqualTo(KEY);
    assertThat(VisitProof.proof(KEY, NONCE, 7, "office/ssh", "laptop")).isEqualTo(PROOF);
    assertThat(VisitProof.matches(KEY, NONCE, 7, "office/ssh", "laptop", PROOF)).isTrue();
  }

  @Test
  void anyOtherNonceSequenceTargetVisitorOrKeyDoesNotMatch() {
    String other = "11".repeat(32);
    assertThat(VisitProof.matches(KEY, other, 7, "office/ssh", "laptop", PROOF)).isFalse();
    assertThat(VisitProof.matches(KEY, NONCE, 8, "office/ssh", "laptop", PROOF)).isFalse();
    assertThat(VisitProof.matches(KEY, NONCE, 7, "office/web", "laptop", PROOF)).isFalse();
    assertThat(VisitProof.matches(KEY, NONCE, 7, "office/ssh", "desktop", PROOF)).isFalse();
    String otherKey = VisitProof.visitorKey("another-secret-0123456789", "office/ssh");
    assertThat(VisitProof.matches(otherKey, NONCE, 7, "office/ssh", "laptop", PROOF)).isFalse();
  }

  @Test
  void theKeyIsBoundToItsTarget() {
    assertThat(VisitProof.visitorKey(SECRET, "office/web")).isNotEqualTo(KEY);
    assertThat(VisitProof.visitorKey(SECRET, "home/ssh")).isNotEqualTo(KEY);
  }

  @Test
  void malformedProofsSimplyDoNotMatch() {
    for (String bad : new String[] {null, "", "zz".repeat(32), PROOF.toUpperCase(), PROOF + "00"}) {
      assertThat(VisitProof.matches(KEY, NONCE, 7, "office/ssh", "laptop", bad)).isFalse();
    }
  }

  @Test
  void theKeyNeverShowsInARegistration() {
    ProxySpec spec =
        new ProxySpec("ssh", null, 0, "tcp", null, new PrivateAccess(List.of("laptop"), KEY));
    assertThat(new RegisterProxies(List.of(spec)).toString())
        .doesNotContain(KEY)
        .contains("allowedVisitors=[laptop]", "visitorKey=***");
  }

  @Test
  void noncesAreFreshHex() {
    SecureRandom random = new SecureRandom();
    String a = VisitProof.newNonce(random);
    assertThat(VisitProof.isHex32(a)).isTrue();
    assertThat(VisitProof.newNonce(random)).isNotEqualTo(a);
  }
}
