package dev.tlstunnel.config;

import java.util.List;

/**
 * One routing rule ({@code [[forwarders.routing.rules]]}): it matches when every matcher it sets
 * matches (within one matcher, any entry), and then sends the connection {@code via}.
 *
 * @param domain exact host names
 * @param domainSuffix names equal to or ending in {@code .suffix}
 * @param domainKeyword names containing the text
 * @param domainRegex names matching a Java regular expression (whole name)
 * @param cidr address ranges
 * @param port ports or ranges ({@code 443}, {@code 8000-8100})
 * @param country ISO 3166 country codes looked up in the GeoIP database
 * @param via where matching connections go
 */
public record RouteRule(
    List<String> domain,
    List<String> domainSuffix,
    List<String> domainKeyword,
    List<String> domainRegex,
    List<String> cidr,
    List<String> port,
    List<String> country,
    RouteVia via) {
  public RouteRule {
    domain = copy(domain);
    domainSuffix = copy(domainSuffix);
    domainKeyword = copy(domainKeyword);
    domainRegex = copy(domainRegex);
    cidr = copy(cidr);
    port = copy(port);
    country = copy(country);
  }

  private static List<String> copy(List<String> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** Whether the rule sets no matcher at all. */
  public boolean empty() {
    return domain.isEmpty()
        && domainSuffix.isEmpty()
        && domainKeyword.isEmpty()
        && domainRegex.isEmpty()
        && cidr.isEmpty()
        && port.isEmpty()
        && country.isEmpty();
  }
}
