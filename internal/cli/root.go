// Package cli holds Warden's commands. Each command reads its inputs, calls
// the layers below, and prints readable text by default or JSON for machines.
// Exit codes are part of each command's contract: see ExitError.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// ExitError carries a command's exit status. Commands return it for outcomes
// that scripts test (a failed case, a malformed input); the message, when not
// empty, has already been printed or is printed by Main.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Env is what commands take from the outside world, so that tests can supply
// their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	// Context is the commands' context (default: context.Background):
	// cancelling it stops the commands that run until interrupted (serve,
	// audit tail).
	Context context.Context
}

// Main runs the command line and returns the process's exit status.
func Main(args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	ctx := env.Context
	if ctx == nil {
		ctx = context.Background()
	}
	root := NewRoot(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(env.Stderr, "warden:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(env.Stderr, "warden:", err)
	return 2
}

// NewRoot builds the command tree.
func NewRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "warden",
		Short:         "Warden: the access-control plane for multi-account AWS organizations",
		Long:          `Warden decides AWS requests exactly as AWS's policy evaluation logic does, and explains why.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.AddCommand(newServe(env), newSimulate(env), newValidate(env), newCheck(env), newProve(env), newExplain(env), newOrg(env), newAudit(env), newLoadtest(env), newAnalyze(env), newCompliance(env), newLogin(env), newCredentials(env), newLogout(env), newIdentityCenter(env), newAccess(env), newSSO(env))
	root.AddCommand(newDiff(env))
	root.AddCommand(newWhoCan(env), newCan(env))
	return root
}

// DefaultEnv is the process's own environment.
func DefaultEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}
}
