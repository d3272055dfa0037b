//go:build !unix

package servertest

import (
	"os/exec"
	"time"
)

// OwnProcessGroup bounds how long Wait waits for output pipes once the
// process has gone (see the Unix version, which also kills the process's
// children with it).
func OwnProcessGroup(cmd *exec.Cmd) {
	cmd.WaitDelay = 10 * time.Second
}
