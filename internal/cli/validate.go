package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/policy"
)

func newValidate(env Env) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "validate [--type identity|resource|trust|scp|rcp|boundary|session|endpoint] FILE...",
		Short: "Check policy documents against the grammar of their policy type",
		Long: `Check IAM policy documents: JSON syntax, the elements of the policy language, condition
operators and values, policy variables, and the grammar of the policy type (which elements it
allows, requires or forbids). Every error names the file, line:column and JSON path.

Exit status: 0 when every document is valid, 2 when any is not (or cannot be read).`,
		Example: `  warden validate --type scp scps/*.json
  warden validate --type trust role-trust.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := policy.ParseType(typ)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			bad := 0
			for _, f := range args {
				src, err := readInput(env, f)
				if err != nil {
					fmt.Fprintf(env.Stderr, "%v\n", err)
					bad++
					continue
				}
				if _, err := policy.ParseAndCompile(src, f, t, f); err != nil {
					fmt.Fprintln(env.Stderr, err)
					bad++
					continue
				}
				fmt.Fprintf(env.Stdout, "%s: valid %s policy\n", f, t)
			}
			if bad > 0 {
				return &ExitError{Code: 2, Err: fmt.Errorf("%d of %d documents are not valid", bad, len(args))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "identity", "policy type: identity, resource, trust, scp, rcp, boundary, session or endpoint")
	return cmd
}
