/**
 * The admin HTTP listener that server and client share: bounded HTTP/1.1, optional bearer-token or
 * basic authentication, GET routes for the JSON API, {@code /metrics}, the server-sent event stream
 * ({@link dev.tlstunnel.admin.EventHub}) and the dashboard's assets, served from the jar.
 */
package dev.tlstunnel.admin;
