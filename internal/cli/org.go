package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/org"
)

func newOrg(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Draw and validate an organization",
	}
	var treePath, treeFormat string
	tree := &cobra.Command{
		Use:   "tree [--org PATH] [--format text|mermaid]",
		Short: "Draw the organization as a tree with its SCP and RCP attachments and roles",
		Long: `Draw the organization: the root, OUs and accounts as a tree, with the SCPs and RCPs attached at
each level and the roles of each account. Without --org, the embedded SecureCart landing zone.

--format mermaid writes a Mermaid flowchart (paste it into a Markdown file on GitHub or GitLab, or
mermaid.live): a box per root, OU and account naming the SCPs and RCPs attached there, so that
the level whose policy blocks a request can be seen on the way down to the account; the
management account, which SCPs do not bind, is marked. Roles are counted, not listed.

Exit status: 0, or 2 when the org is malformed.`,
		Example: `  warden org tree
  warden org tree --org ./my-org --format mermaid > org.mmd`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(treeFormat, "text", "mermaid"); err != nil {
				return err
			}
			o, err := loadOrg(treePath)
			if err != nil {
				return &ExitError{Code: 2, Err: err}
			}
			if treeFormat == "mermaid" {
				return org.TreeMermaid(o, env.Stdout)
			}
			org.Tree(o, env.Stdout)
			return nil
		},
	}
	tree.Flags().StringVar(&treePath, "org", "", "organization file or directory (default: the embedded SecureCart landing zone)")
	tree.Flags().StringVar(&treeFormat, "format", "text", "output format: text or mermaid")
	validate := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Validate organization files: references, IDs, policies, with file:line:column",
		Long: `Validate organization files or directories: the format, every reference (OUs, accounts,
policies, groups, permission sets), account IDs, session durations, and every policy document
against its type's grammar. Each error names file:line:column.

Without PATH, the embedded SecureCart landing zone is validated.

Exit status: 0 when valid, 2 when any error is found.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{""}
			}
			bad := 0
			for _, p := range args {
				o, err := loadOrg(p)
				name := p
				if name == "" {
					name = "embedded SecureCart landing zone"
				}
				if err != nil {
					fmt.Fprintln(env.Stderr, err)
					bad++
					continue
				}
				fmt.Fprintf(env.Stdout, "%s: valid: %d accounts, %d OUs, %d roles, %d policies\n", name, len(o.Accounts), len(o.OUs), len(o.Roles), len(o.Policies))
			}
			if bad > 0 {
				return &ExitError{Code: 2}
			}
			return nil
		},
	}
	cmd.AddCommand(tree, validate)
	return cmd
}
