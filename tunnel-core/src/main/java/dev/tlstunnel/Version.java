package dev.tlstunnel;

/** The software version, read from the jar manifest when packaged. */
public final class Version {
  /** The version string, e.g. {@code 0.1.0}; {@code dev} when not running from a jar. */
  public static final String VERSION = read();

  private Version() {}

  private static String read() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v != null ? v : "dev";
  }
}
