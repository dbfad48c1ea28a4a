package dev.tlstunnel.egress;

/** A port or an inclusive range of ports: {@code 443} or {@code 8000-8100}. */
public record PortRange(int first, int last) {

  /**
   * Parses {@code N} or {@code N-M}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static PortRange parse(String spec) {
    String s = spec.strip();
    int dash = s.indexOf('-');
    try {
      int first = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
      int last = dash < 0 ? first : Integer.parseInt(s.substring(dash + 1).strip());
      if (first < 1 || last > 65535 || last < first) {
        throw new IllegalArgumentException(
            "'" + spec + "': ports must be between 1 and 65535, the first not above the last");
      }
      return new PortRange(first, last);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + spec + "' is not a port or a range like 8000-8100");
    }
  }

  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }
}
