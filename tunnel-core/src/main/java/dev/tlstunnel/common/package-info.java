/**
 * What the server and the client share and neither owns: the classification and wording of bind
 * failures, listener dispatch, the clock that follows the event loops' ticker, failure messages.
 * Not API: a module that embeds tls-tunnel does not see this package.
 */
package dev.tlstunnel.common;
