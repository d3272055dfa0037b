package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/securecart/warden/internal/analyze"
)

const checkExit = `

The documents are file paths, file://PATH as the aws CLI takes them, - for standard input, or
inline JSON. --format json prints Access Analyzer's response: {"result", "message", "reasons"}, each
reason with its statementIndex and statementId (and an example request, Warden's addition).

Exit status: 0 for PASS, 1 for FAIL, 2 for a malformed document or argument.`

func newCheckCommands(env Env) []*cobra.Command {
	var format string
	addFormat := func(c *cobra.Command) *cobra.Command {
		c.Flags().StringVar(&format, "format", "text", "output format: text or json")
		return c
	}
	var doc, resourceType string
	public := &cobra.Command{
		Use:   "check-no-public-access --policy-document DOC --resource-type TYPE",
		Short: "Check that a resource policy grants no public access (CheckNoPublicAccess)",
		Long: `Check that a resource policy cannot grant public access to a resource of the given type
(AWS::S3::Bucket, AWS::SQS::Queue, AWS::KMS::Key, AWS::IAM::AssumeRolePolicyDocument, ...): FAIL when
anyone, anonymous or any account's principal, gets in for some request without a condition on a key
the caller cannot choose.` + checkExit,
		Example: `  warden analyze check-no-public-access --policy-document file://bucket-policy.json --resource-type AWS::S3::Bucket`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readDocument(env, doc, "--policy-document")
			if err != nil {
				return err
			}
			return runCheck(env, format, func() (analyze.CheckResult, error) { return analyze.CheckNoPublicAccess(src, resourceType) })
		},
	}
	public.Flags().StringVar(&doc, "policy-document", "", "the resource policy")
	public.Flags().StringVar(&resourceType, "resource-type", "", "the resource type, such as AWS::S3::Bucket")

	var notDoc, accessJSON, notType string
	var actions, resources []string
	notGranted := &cobra.Command{
		Use:   "check-access-not-granted --policy-document DOC --policy-type TYPE (--access JSON | --action A... --resource R...)",
		Short: "Check that a policy grants none of the given access (CheckAccessNotGranted)",
		Long: `Check that a policy grants none of the given access: with actions only, none of them on any
resource; with resources only, no action on any of them; with both, none of the actions on any of
the resources. --access takes Access Analyzer's list ([{"actions": [...], "resources": [...]}]);
--action and --resource give one entry. --policy-type is IDENTITY_POLICY or RESOURCE_POLICY.` + checkExit,
		Example: `  warden analyze check-access-not-granted --policy-document role-policy.json --policy-type IDENTITY_POLICY --action iam:PassRole`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := readDocument(env, notDoc, "--policy-document")
			if err != nil {
				return err
			}
			var access []analyze.AccessSpec
			if accessJSON != "" {
				if err := json.Unmarshal([]byte(accessJSON), &access); err != nil {
					return &ExitError{Code: 2, Err: fmt.Errorf("--access: %v: want [{\"actions\": [...], \"resources\": [...]}]", err)}
				}
			}
			if len(actions) > 0 || len(resources) > 0 {
				access = append(access, analyze.AccessSpec{Actions: actions, Resources: resources})
			}
			return runCheck(env, format, func() (analyze.CheckResult, error) { return analyze.CheckAccessNotGranted(src, access, notType) })
		},
	}
	notGranted.Flags().StringVar(&notDoc, "policy-document", "", "the policy")
	notGranted.Flags().StringVar(&accessJSON, "access", "", `the access, as JSON: [{"actions": [...], "resources": [...]}]`)
	notGranted.Flags().StringArrayVar(&actions, "action", nil, "an action of the access (repeatable)")
	notGranted.Flags().StringArrayVar(&resources, "resource", nil, "a resource of the access (repeatable)")
	notGranted.Flags().StringVar(&notType, "policy-type", analyze.IdentityPolicy, "IDENTITY_POLICY or RESOURCE_POLICY")

	var newDoc, oldDoc, newType string
	noNew := &cobra.Command{
		Use:   "check-no-new-access --new-policy-document DOC --existing-policy-document DOC --policy-type TYPE",
		Short: "Check that a new policy grants nothing the existing one does not (CheckNoNewAccess)",
		Long: `Check that the new version of a policy grants no access that the existing version does not:
FAIL names each statement of the new document that allows a request the existing one denies, with
such a request.` + checkExit,
		Example: `  warden analyze check-no-new-access --new-policy-document new.json --existing-policy-document old.json --policy-type IDENTITY_POLICY`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := readDocument(env, newDoc, "--new-policy-document")
			if err != nil {
				return err
			}
			o, err := readDocument(env, oldDoc, "--existing-policy-document")
			if err != nil {
				return err
			}
			return runCheck(env, format, func() (analyze.CheckResult, error) { return analyze.CheckNoNewAccess(n, o, newType) })
		},
	}
	noNew.Flags().StringVar(&newDoc, "new-policy-document", "", "the new policy")
	noNew.Flags().StringVar(&oldDoc, "existing-policy-document", "", "the existing policy")
	noNew.Flags().StringVar(&newType, "policy-type", analyze.IdentityPolicy, "IDENTITY_POLICY or RESOURCE_POLICY")
	return []*cobra.Command{addFormat(public), addFormat(notGranted), addFormat(noNew)}
}

// readDocument reads a policy document argument: a path, file://PATH, - for
// standard input, or inline JSON.
func readDocument(env Env, v, flag string) (string, error) {
	switch {
	case v == "":
		return "", &ExitError{Code: 2, Err: fmt.Errorf("%s is required", flag)}
	case v == "-":
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return "", &ExitError{Code: 2, Err: fmt.Errorf("%s: %v", flag, err)}
		}
		return string(b), nil
	case strings.HasPrefix(strings.TrimSpace(v), "{"):
		return v, nil
	}
	b, err := os.ReadFile(strings.TrimPrefix(v, "file://"))
	if err != nil {
		return "", &ExitError{Code: 2, Err: fmt.Errorf("%s: %v", flag, err)}
	}
	return string(b), nil
}

func runCheck(env Env, format string, run func() (analyze.CheckResult, error)) error {
	if err := checkFormat(format, "text", "json"); err != nil {
		return err
	}
	r, err := run()
	if err != nil {
		if errors.Is(err, analyze.ErrInvalid) {
			return &ExitError{Code: 2, Err: err}
		}
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Stdout, "%s: %s\n", r.Result, r.Message)
		for _, rs := range r.Reasons {
			fmt.Fprintf(env.Stdout, "  - %s\n", rs.Description)
			if e := rs.Example; e != nil {
				fmt.Fprintf(env.Stdout, "    for example: %s %s %s%s\n", e.Principal, e.Action, e.Resource, contextArgs(e.Context))
			}
		}
	}
	if r.Result == analyze.Fail {
		return &ExitError{Code: 1}
	}
	return nil
}
