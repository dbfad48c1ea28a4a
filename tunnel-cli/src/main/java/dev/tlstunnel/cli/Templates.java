package dev.tlstunnel.cli;

import dev.tlstunnel.config.BindRetryPolicy;
import dev.tlstunnel.config.ClientConfig;
import dev.tlstunnel.config.Durations;
import dev.tlstunnel.config.EgressConfig;
import dev.tlstunnel.config.KeepAlive;
import dev.tlstunnel.config.Limits;
import dev.tlstunnel.config.ReconnectPolicy;
import dev.tlstunnel.config.ServerConfig;

/**
 * Commented config files listing every option with its default, as {@code tls-tunnel template}
 * prints them. Defaults come from the config classes, so the templates cannot drift from them.
 */
final class Templates {
  /** The tunnel port the templates and the zero-config server use. */
  static final int DEFAULT_SERVER_PORT = 7000;

  private Templates() {}

  /** A server config with a freshly generated {@code auth_key}. */
  static String server(String authKey) {
    BindRetryPolicy retry = BindRetryPolicy.DEFAULT;
    KeepAlive keepAlive = KeepAlive.DEFAULT;
    Limits limits = Limits.DEFAULT;
    return """
        # tls-tunnel server configuration. Every option is listed with its default value.
        # Check it:  tls-tunnel check -c server.toml
        # Run it:    tls-tunnel server -c server.toml
        # Durations are written like "250ms", "10s", "1m30s". Reference: docs/CONFIG.md

        [server]
        # Address the tunnel port listens on: "0.0.0.0" every IPv4 address, "::" every address.
        bind_addr = "%s"
        # The port clients dial (required).
        bind_port = %d
        # PEM certificate (chain) and PEM private key in PKCS#8 (required). Relative paths are
        # relative to this file. Create both with:
        #   tls-tunnel cert --common-name tunnel.example.com --alt-names tunnel.example.com,203.0.113.7
        cert_path = "server.crt"
        key_path = "server.key"
        # The shared key every client must present (required; 16 to 1024 characters).
        # Generated at random for this file: copy it into the clients' auth_key.
        auth_key = "%s"
        # Or keep the key out of this file: read it from a file (trailing newline dropped) or
        # from an environment variable. Exactly one of the three may be set.
        # auth_key_file = "auth.key"
        # auth_key_env = "TLS_TUNNEL_KEY"
        # Deadline for a new client's TLS handshake plus authentication.
        handshake_timeout = "%s"
        # Keep-alive: ping each client this often, and drop a session silent for this long.
        keepalive_interval = "%s"
        keepalive_timeout = "%s"
        # On shutdown, how long open streams may finish before they are closed.
        shutdown_grace = "%s"
        # How clients reach this port: "tls" (yamux over TLS), "wss" (a WebSocket on path) or
        # "h2" (one HTTP/2 CONNECT stream). One port serves one transport.
        transport = "tls"
        # wss: the WebSocket path. Every other request (wss, h2) gets a plain 404, or this page:
        path = "/"
        # decoy_page = "index.html"
        # Behind a reverse proxy that terminates TLS (nginx): cleartext on this port, no
        # cert_path / key_path, transport "wss" or "h2". README: "Only HTTPS allowed / behind nginx".
        behind_proxy = false
        # Proxies whose X-Forwarded-For / Forwarded header names the real client (wss, h2).
        trusted_proxies = []
        # Let clients' forwarders connect out from this server (their "tunnel" route).
        allow_forward = false
        # Admin listener: JSON API, /metrics, /api/events, the dashboard (docs/API.md); off unless
        # admin_port is set. On an address that is not loopback, admin_token or admin_user is
        # required; browsers need admin_user and admin_password.
        admin_addr = "127.0.0.1"
        # admin_port = 7500
        # admin_token = "a-long-random-token"
        # admin_user = "ops"
        # admin_password = "..."
        # Proxy names and client ids with metric series of their own; the rest count as _other.
        metrics_label_limit = 500
        # SIGHUP or 'tls-tunnel reload -c FILE' applies a changed file; watch = true polls it.
        watch = false
        watch_interval = "2s"
        # tls-tunnel's own log level: "error", "warn", "info", "debug" or "trace" (-v wins).
        # log_level = "info"
        # After a reload changed auth_key, how long the previous key still works ("0s": not at all).
        key_rotation_window = "1h"
        # Ports clients may publish: ports ("30001") and ranges ("20000-20100"); empty: any.
        # A proxy with publish_port = 0 gets the first free one, kept for its client id and
        # proxy name (in state_dir, for port_lease_ttl after the proxy is gone).
        allow_ports = []
        max_ports = 0                     # ports one client may publish at once; 0: no limit
        # state_dir = "state"
        port_lease_ttl = "168h"
        # A load balancer in front that sends the PROXY protocol: ignore, use, require or reject;
        # only headers from proxy_protocol_trusted (addresses or CIDR blocks) count.
        proxy_protocol = "ignore"
        proxy_protocol_trusted = []

        # A published port that cannot be bound (in use, no permission) is retried in the
        # background. These are the defaults and the limits for every client's proxies.
        [server.bind_retry]
        max_retries = %d          # retries after the first attempt; -1 retries forever
        initial_delay = "%s"     # the first wait, doubled after each retry ...
        max_delay = "%s"         # ... up to this

        # Bounds against hostile or runaway peers (docs/SECURITY.md). Exceeding one closes only
        # the offending connection, stream or proxy, with a log line naming the bound.
        [server.limits]
        connection_rate = %d              # new tunnel connections per second per source address
        connection_burst = %d             # ... and at once
        max_unauthenticated = %d        # tunnel connections not yet authenticated, in all
        max_unauthenticated_per_ip = %d   # ... and per source address
        auth_penalty_max = "%s"            # a source failing authentication waits 1s, 2s, 4s ... up to this
        max_control_frame = %d         # bytes of one control message
        max_proxies_per_client = %d      # extra proxies are rejected
        max_streams_per_session = %d   # streams open at once on one tunnel
        max_connections_per_proxy = %d  # public connections open at once on one proxy
        max_pending_connects = %d        # public connections of one client waiting for their stream
        max_receive_window = %d      # bytes a stream may buffer (yamux receive window)
        max_session_window = %d     # growth of all windows of one tunnel beyond 256 KiB each
        max_frame_payload = %d        # bytes of one yamux data frame

        # Where forwarded connections may go when allow_forward = true. Loopback, private,
        # link-local and cloud metadata addresses are refused unless listed in allow_cidrs.
        [server.egress]
        allow_cidrs = []
        deny_cidrs = []
        allow_ports = []                  # empty: any port
        deny_ports = []
        connect_timeout = "%s"
        # When present, only the client ids listed may use egress, each with extra lists:
        # [server.egress.clients.office-pc]
        # allow_cidrs = ["192.168.1.0/24"]

        # Fault notifications, one table per target: a webhook (url) or a command (exec) that
        # gets the event as JSON on stdin. Events: proxy_unhealthy, proxy_bind_failed,
        # proxy_recovered, client_connected, client_disconnected (all when events is left out).
        # [[server.notify]]
        # url = "https://hooks.example.com/tls-tunnel"
        # exec = ["/usr/local/bin/page-oncall"]
        # events = ["proxy_unhealthy", "proxy_bind_failed", "proxy_recovered"]
        # secret = "..."                  # HMAC-SHA256 in X-Tls-Tunnel-Signature
        # timeout = "5s"
        # retries = 3
        # retry_delay = "1s"              # doubling after each retry
        # queue_size = 1000               # events waiting; more are dropped and counted

        # Several servers as one, on etcd (docs/CLUSTER.md): each server its own node_id and
        # peer_addr; the peer links are mutual TLS with certificates of a CA of the cluster's own.
        # [server.cluster]
        # etcd_endpoints = ["http://10.0.0.5:2379", "http://10.0.0.6:2379", "http://10.0.0.7:2379"]
        # node_id = "edge-1"
        # peer_addr = "10.0.0.11:7100"
        # publish_addr = "10.0.0.11"       # bind published ports here, whatever the client asked
        # lease_ttl = "10s"
        # etcd_ca_cert_path = "etcd-ca.pem"  # https endpoints
        # etcd_cert_path = "etcd-client.pem"
        # etcd_key_path = "etcd-client.key"
        # peer_ca_cert_path = "cluster-ca.pem"
        # peer_cert_path = "edge-1-peer.pem"
        # peer_key_path = "edge-1-peer.key"
        """
        .formatted(
            ServerConfig.DEFAULT_BIND_ADDR,
            DEFAULT_SERVER_PORT,
            authKey,
            Durations.format(ServerConfig.DEFAULT_HANDSHAKE_TIMEOUT),
            Durations.format(keepAlive.interval()),
            Durations.format(keepAlive.timeout()),
            Durations.format(ServerConfig.DEFAULT_SHUTDOWN_GRACE),
            retry.maxRetries(),
            Durations.format(retry.initialDelay()),
            Durations.format(retry.maxDelay()),
            limits.connectionRate(),
            limits.connectionBurst(),
            limits.maxUnauthenticated(),
            limits.maxUnauthenticatedPerIp(),
            Durations.format(limits.authPenaltyMax()),
            limits.maxControlFrame(),
            limits.maxProxiesPerClient(),
            limits.maxStreamsPerSession(),
            limits.maxConnectionsPerProxy(),
            limits.maxPendingConnects(),
            limits.maxReceiveWindow(),
            limits.maxSessionWindow(),
            limits.maxFramePayload(),
            Durations.format(EgressConfig.DEFAULT_CONNECT_TIMEOUT));
  }

  /** A client config with one example proxy (and, commented out, a private one and a visitor). */
  static String client() {
    KeepAlive keepAlive = KeepAlive.DEFAULT;
    ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
    return """
        # tls-tunnel client configuration. Every option is listed with its default value;
        # the commented-out ones have no default and are off unless set.
        # Check it:  tls-tunnel check -c client.toml
        # Run it:    tls-tunnel client -c client.toml
        # Durations are written like "250ms", "10s", "1m30s". Reference: docs/CONFIG.md

        [client]
        # The server's host name or address and its tunnel port (required).
        server_addr = "tunnel.example.com"
        server_port = %d
        # The server's shared key (required): its auth_key, or the key it printed at start.
        auth_key = "paste-the-server-auth-key-here"
        # Or read it from a file or an environment variable instead (exactly one of the three):
        # auth_key_file = "auth.key"
        # auth_key_env = "TLS_TUNNEL_KEY"

        # How the server's certificate is trusted. Without server_fingerprint or ca_cert_path the
        # system's CAs verify it, host name included.
        # Pin exactly one certificate (printed by the server and by 'tls-tunnel cert'):
        # server_fingerprint = "sha256:<64 hex digits>"
        # Or verify against this CA certificate (or the server's own certificate), host name included:
        # ca_cert_path = "server.crt"
        # Accept any certificate: insecure, for experiments only; logs a warning at every connect.
        skip_verify = false

        # This client's name on the server (default: this host's name).
        # client_id = "office-pc"
        # Admin API for 'tls-tunnel status', 'top' and the dashboard; off unless admin_port is set.
        admin_addr = "%s"
        # admin_port = 7400
        # Credentials it asks for (status, retry and top read them from this file).
        # admin_token = "a-long-random-token"
        # admin_user = "ops"
        # admin_password = "..."
        # Proxy names with metric series of their own; the rest count as _other.
        metrics_label_limit = 500
        # Exit with code 3 when a proxy gives up binding or is rejected by the server.
        exit_on_bind_failure = false
        # Connecting a tunnelled stream to the local service: retries, wait between, timeout.
        local_connect_retries = %d
        local_retry_delay = "%s"
        local_connect_timeout = "%s"
        # Keep-alive: ping the server this often, and drop the tunnel when silent for this long.
        keepalive_interval = "%s"
        keepalive_timeout = "%s"
        # On shutdown, how long open streams may finish before they are closed.
        shutdown_grace = "%s"
        # How the server is reached: "tls", "wss" or "h2", as the server's transport.
        transport = "tls"
        # wss: the WebSocket path on the server (or on the nginx in front of it).
        path = "/"
        # wss, h2: the Host header (default server_addr:server_port) and extra request headers.
        # host = "tunnel.example.com"
        # headers = { "X-Tunnel-Token" = "..." }
        # wss, h2: WebSocket ping / HTTP/2 PING against proxies that close idle connections.
        ping_interval = "20s"
        # Dial the server through an outbound proxy: HTTP CONNECT or SOCKS5, user:password optional.
        # proxy_url = "http://user:password@proxy.corp.example:3128"
        # SIGHUP or 'tls-tunnel reload -c FILE' applies a changed file; watch = true polls it.
        watch = false
        watch_interval = "2s"
        # tls-tunnel's own log level: "error", "warn", "info", "debug" or "trace" (-v wins).
        # log_level = "info"

        # Coming back after the tunnel drops or the server cannot be reached.
        [client.reconnect]
        enabled = %s
        initial_delay = "%s"     # the first wait, doubled after each attempt ...
        max_delay = "%s"        # ... up to this
        retry_on_auth_failure = %s

        # One [[proxies]] table per published service; repeat the table for more.
        [[proxies]]
        name = "web"                  # unique per client: [A-Za-z0-9._-], up to 64 characters
        publish_addr = "%s"      # where the server listens for the public
        publish_port = 8080           # required
        local_addr = "%s"      # the private service, as seen from this client
        local_port = 3000             # required
        proxy_type = "tcp"            # tcp, http/1.1, http/2.0 or ssh
        # proxy_protocol = "v2"       # write a PROXY protocol header (v1, v2) to the local service
        # Check the local service; while it fails, the server sends this proxy no connections.
        # health_check = { type = "http", path = "/health", interval = "10s", timeout = "3s", unhealthy_after = 3, healthy_after = 2 }
        # A load-balancing group: several clients publish this port, each with its own name.
        # group = "web"
        # group_key = "a-long-random-secret"
        # strategy = "round_robin"    # least_connections, random, failover (with priority)
        # priority = 0

        # Optional, per proxy: ask the server for another bind retry policy (clamped to the
        # server's [server.bind_retry]). Without it the server's policy applies.
        # [proxies.bind_retry]
        # max_retries = 3
        # initial_delay = "1s"
        # max_delay = "10s"

        # A private proxy: the server opens no port for it; only the listed visitors (other
        # clients of this server, by client_id) that know the secret reach it.
        # [[proxies]]
        # name = "ssh"
        # visibility = "private"
        # local_port = 22
        # allowed_visitors = ["laptop"]    # client ids, or ["*"] for every client
        # secret = "paste-a-secret-of-16-or-more-characters"   # or one of the next two:
        # secret_file = "/etc/tls-tunnel/ssh.secret"
        # secret_env = "SSH_VISITOR_SECRET"

        # A visitor: a local port whose connections reach another client's private proxy.
        # [[visitors]]
        # name = "office-ssh"
        # target = "office/ssh"            # CLIENT_ID/PROXY of the publisher
        # bind_addr = "%s"
        # bind_port = 2222
        # secret = "the-private-proxy-secret"   # or secret_file / secret_env
        # [visitors.bind_retry]            # the local listener's retries; default as shown
        # max_retries = 10
        # initial_delay = "2s"
        # max_delay = "60s"

        # A local HTTP or SOCKS5 proxy for browsers and tools; repeat the table for more. Each
        # target goes direct, through the tunnel (the server must set allow_forward) or is
        # blocked, by the routing rules. Loopback, private and cloud metadata addresses are
        # refused on both routes unless allowed ([forwarders.direct] here, [server.egress] there).
        # [[forwarders]]
        # name = "web-proxy"
        # type = "http"                 # http or socks5
        # bind_addr = "127.0.0.1"
        # bind_port = 8118
        # username = "me"               # with password: credentials applications must give
        # password = "secret"
        # max_connections = 256         # more are closed at accept
        # max_request_head = 16384      # bytes of an HTTP request line, and of its headers
        # handshake_timeout = "10s"     # until the proxy request is answered
        # idle_timeout = "5m"
        # connect_timeout = "10s"       # one direct connect
        # [forwarders.direct]           # direct connections may also reach:
        # allow_cidrs = ["192.168.1.0/24"]
        # deny_cidrs = []
        # allow_ports = []
        # deny_ports = []
        # [forwarders.routing]
        # default = "tunnel"            # direct, tunnel or block
        # domain_strategy = "as_is"     # as_is, ip_if_non_match or ip_on_demand
        # geoip_db = "GeoLite2-Country.mmdb"
        # First match wins; a rule matches when every matcher it sets matches:
        # [[forwarders.routing.rules]]
        # domain = ["intranet.example"]
        # domain_suffix = ["corp.example"]
        # domain_keyword = ["tracker"]
        # domain_regex = ['^cdn[0-9]+\\.example$']
        # cidr = ["192.168.1.0/24"]
        # port = [443, "8000-8100"]
        # country = ["DE"]
        # via = "direct"

        # Fault notifications, one table per target, as [[server.notify]] (docs/CONFIG.md); the
        # client also sends visitor_refused.
        # [[client.notify]]
        # url = "https://hooks.example.com/tls-tunnel"
        # events = ["proxy_unhealthy", "proxy_bind_failed", "client_disconnected"]
        # secret = "..."
        """
        .formatted(
            DEFAULT_SERVER_PORT,
            ClientConfig.DEFAULT_ADMIN_ADDR,
            ClientConfig.DEFAULT_LOCAL_CONNECT_RETRIES,
            Durations.format(ClientConfig.DEFAULT_LOCAL_RETRY_DELAY),
            Durations.format(ClientConfig.DEFAULT_LOCAL_CONNECT_TIMEOUT),
            Durations.format(keepAlive.interval()),
            Durations.format(keepAlive.timeout()),
            Durations.format(ClientConfig.DEFAULT_SHUTDOWN_GRACE),
            reconnect.enabled(),
            Durations.format(reconnect.initialDelay()),
            Durations.format(reconnect.maxDelay()),
            reconnect.retryOnAuthFailure(),
            dev.tlstunnel.config.ProxyConfig.DEFAULT_PUBLISH_ADDR,
            dev.tlstunnel.config.ProxyConfig.DEFAULT_LOCAL_ADDR,
            dev.tlstunnel.config.VisitorConfig.DEFAULT_BIND_ADDR);
  }
}
