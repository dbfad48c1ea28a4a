package dev.tlstunnel.health;

/**
 * The outcome of one probe.
 *
 * @param passed whether the service answered as the check expects
 * @param detail why it failed, e.g. {@code HTTP 500 from /health}; null when it passed
 */
public record ProbeResult(boolean passed, String detail) {
  static final ProbeResult PASSED = new ProbeResult(true, null);

  static ProbeResult failed(String detail) {
    return new ProbeResult(false, detail);
  }
}
