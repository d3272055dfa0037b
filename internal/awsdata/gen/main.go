// Command gen regenerates the AWS reference data embedded by package awsdata.
//
// It reads the third-party data staged in the shared folder (see its README.md)
// and writes compact, gzip-compressed JSON files plus a NOTICE file:
//
//	data/policies.json.gz       AWS managed policies: name, ARN, version, flags
//	data/policydocs.jsonl.gz    their documents, one compact JSON per line
//	data/services.json.gz       service prefixes, actions and resource types
//	data/conditionkeys.json.gz  global and service condition keys with types
//	data/rcpservices.json.gz    the service prefixes whose resources RCPs apply to
//	data/NOTICE                 sources, pinned commits and licenses
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
		{"policies.json.gz", policies},
		{"services.json.gz", services},
		{"conditionkeys.json.gz", keys},
		{"rcpservices.json.gz", rcp},
	}
	for _, f := range files {
		if err := writeGzipJSON(out, f.name, f.v); err != nil {
			return err
		}
	}
	if err := writeGzip(out, "policydocs.jsonl.gz", policies.documents()); err != nil {
		return err
	}
	return writeFile(out, "NOTICE", notice)
}
