/**
 * Immutable configuration records, the TOML loader and the one validator. A configuration is
 * validated once when loaded; errors name the key path ({@code proxies[2].publish_port: ...}); soft
 * issues are corrected and logged at WARN naming the key.
 */
package dev.tlstunnel.config;
