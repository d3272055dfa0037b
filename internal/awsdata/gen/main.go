// Command gen regenerates the AWS reference data embedded by package awsdata.
//
// It reads the third-party data staged in the shared folder (see its README.md)
// and writes compact JSON files plus a NOTICE file:
//
//	data/policies.json        AWS managed policies: name, ARN, version, flags
//	data/policydocs.jsonl     their documents, one compact JSON per line
//	data/serviceindex.json    service prefixes and names, in order
//	data/services.jsonl       each service's actions, resource types and condition keys, one per line
//	data/conditionkeys.json   global and service condition keys with types
//	data/rcpservices.json     the service prefixes whose resources RCPs apply to
//	data/NOTICE               sources, pinned commits and licenses
//
// The files are not compressed: the binary embeds them as they are, and a
// process decodes only what it uses (a service's line when it is looked up)
// instead of inflating every file first.
//
// The output is deterministic: the same input gives byte-identical files.
// Run it from the repository root:
//
//	go run ./internal/awsdata/gen [-shared ../shared/data] [-out internal/awsdata/data]
//
// or through go generate in the awsdata package.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	shared := flag.String("shared", "../shared/data", "folder holding the staged third-party data")
	out := flag.String("out", "internal/awsdata/data", "folder to write the generated files to")
	flag.Parse()
	if err := generate(*shared, *out); err != nil {
		fmt.Fprintln(os.Stderr, "awsdata/gen:", err)
		os.Exit(1)
	}
}

// generate reads the staged data under shared and writes every output file to out.
func generate(shared, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	notice, err := buildNotice(shared)
	if err != nil {
		return err
	}
	policies, err := buildPolicies(shared)
	if err != nil {
		return err
	}
	keys, err := buildConditionKeys(shared)
	if err != nil {
		return err
	}
	services, err := buildServices(shared, keys)
	if err != nil {
		return err
	}
	rcp, err := buildRCPServices(shared)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		v    any
	}{
		{"policies.json", policies},
		{"serviceindex.json", services.index()},
		{"conditionkeys.json", keys},
		{"rcpservices.json", rcp},
	}
	for _, f := range files {
		if err := writeJSON(out, f.name, f.v); err != nil {
			return err
		}
	}
	if err := writeFile(out, "policydocs.jsonl", policies.documents()); err != nil {
		return err
	}
	lines, err := services.lines()
	if err != nil {
		return err
	}
	if err := writeFile(out, "services.jsonl", lines); err != nil {
		return err
	}
	return writeFile(out, "NOTICE", notice)
}
