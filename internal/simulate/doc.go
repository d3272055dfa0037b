// Package simulate reads and runs authorization cases in the format of
// `warden simulate` (shared/spec/simulate.md): a request, the policies that
// apply to it, and optionally the decision AWS makes.
package simulate
