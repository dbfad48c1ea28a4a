/**
 * Reloading a running server's or client's configuration: the plan (what a new configuration adds,
 * removes, updates in place or restarts, compared entry by entry), its JSON form, and the ways a
 * reload is asked for (the configuration file watched, a Unix domain socket, the admin API).
 * Applying a plan is the facades' work ({@code client}, {@code server}); this package only decides
 * and carries.
 */
package dev.tlstunnel.reload;
