/**
 * The control-stream vocabulary: one record per message, the JSON codec that turns frames into
 * those records and back, and the header that starts every server-opened data stream. Codecs live
 * only at the edge; the rest of the code speaks records.
 */
package dev.tlstunnel.protocol;
