package dev.tlstunnel.config;

/**
 * What a proxy asks beyond publishing a port: a check of its local service, a load-balancing group
 * and a PROXY protocol header towards the local service. Each may be null (not asked for).
 */
record ProxyFeatures(
    HealthCheck healthCheck, LoadBalancing loadBalancing, ProxyProtocolVersion proxyProtocol) {

  static final ProxyFeatures NONE = new ProxyFeatures(null, null, null);

  ProxyFeatures withHealthCheck(HealthCheck check) {
    return new ProxyFeatures(check, loadBalancing, proxyProtocol);
  }

  ProxyFeatures withLoadBalancing(LoadBalancing membership) {
    return new ProxyFeatures(healthCheck, membership, proxyProtocol);
  }

  ProxyFeatures withProxyProtocol(ProxyProtocolVersion version) {
    return new ProxyFeatures(healthCheck, loadBalancing, version);
  }

  /** {@code ", healthCheck=..., group=..."} for what is set, for {@code toString}. */
  String describe() {
    return (healthCheck == null ? "" : ", healthCheck=" + healthCheck)
        + (loadBalancing == null ? "" : ", loadBalancing=" + loadBalancing)
        + (proxyProtocol == null ? "" : ", proxyProtocol=" + proxyProtocol.configName());
  }
}
