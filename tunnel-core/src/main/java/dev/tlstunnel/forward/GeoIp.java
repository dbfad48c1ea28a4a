package dev.tlstunnel.forward;

import com.maxmind.db.Reader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * Country look-ups in a MaxMind-format database (GeoLite2-Country, GeoIP2-Country, DB-IP's country
 * lite, or any {@code .mmdb} whose records carry {@code country.iso_code}), read with MaxMind's own
 * reader. Falls back to {@code registered_country.iso_code}. Thread-safe.
 */
final class GeoIp implements AutoCloseable {
  private final Reader reader;
  private final Path file;

  private GeoIp(Reader reader, Path file) {
    this.reader = reader;
    this.file = file;
  }

  /**
   * Opens {@code file}.
   *
   * @throws IOException naming the file when it is not a MaxMind DB
   */
  static GeoIp open(Path file) throws IOException {
    try {
      return new GeoIp(new Reader(file.toFile()), file);
    } catch (NoClassDefFoundError e) {
      throw new IOException(
          "country rules need MaxMind's reader (com.maxmind.db:maxmind-db) on the class path", e);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a readable MaxMind DB file: " + e.getMessage(), e);
    }
  }

  /** The ISO 3166 code of {@code address}'s country, or null when the database has none. */
  String country(InetAddress address) {
    try {
      @SuppressWarnings("rawtypes")
      Map record = reader.get(address, Map.class);
      if (record == null) {
        return null;
      }
      String code = isoCode(record.get("country"));
      return code != null ? code : isoCode(record.get("registered_country"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String isoCode(Object country) {
    if (country instanceof Map<?, ?> map && map.get("iso_code") instanceof String code) {
      return code;
    }
    return null;
  }

  Path file() {
    return file;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      // nothing held but the mapping
    }
  }
}
