/** Command-line interface: picocli commands, logging setup and the demo. */
package dev.tlstunnel.cli;
