// Package layers keeps Warden's import graph to the layer table of
// docs/architecture.md: its test reads the table from that page and fails on
// any import of a non-test Go file that runs against it, and on any package
// the table does not place. The package has no code of its own.
package layers
