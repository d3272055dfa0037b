//go:build unix

package servertest

import (
	"os/exec"
	"syscall"
	"time"
)

// OwnProcessGroup makes cmd the leader of a process group of its own and has
// its cancellation kill the whole group, and bounds how long Wait waits for
// output pipes once the process has gone. chromedriver starts Chromium, whose
// processes inherit its standard output: killed alone, chromedriver leaves
// them holding the pipe, and Wait would wait for them forever (a test hung
// for 24 minutes so, after a failure under load).
func OwnProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
}
