/**
 * Visitors: a client reaching a private proxy of another client through the server, with no public
 * port opened anywhere. {@link dev.tlstunnel.visitor.Visitors} holds a client's local listeners
 * (bound and retried like published ports) and counts the visitors connected to its own private
 * proxies. Each local connection becomes a client-opened stream of kind {@code visit} proving the
 * proxy's secret ({@link dev.tlstunnel.protocol.VisitProof}), relayed like every other stream.
 */
package dev.tlstunnel.visitor;
