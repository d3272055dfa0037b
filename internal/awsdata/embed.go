package awsdata

import (
	_ "embed"
	"fmt"

	"github.com/go-json-experiment/json"
)

// The data files are embedded as they are, not compressed: a string holds a
// file's bytes in the binary's read-only data, so that a process reads only
// the parts it uses (the lines of the services it looks up, the documents
// of the policies it loads) and pays nothing for the rest. Inflating the
// compressed files and decoding every service was a tenth of a who-can on
// a 1,000-account organization (see BENCHMARKS.md, "Who can").
var (
	//go:embed data/policies.json
	policiesJSON string
	//go:embed data/policydocs.jsonl
	policyDocsJSONL string
	//go:embed data/serviceindex.json
	serviceIndexJSON string
	//go:embed data/services.jsonl
	servicesJSONL string
	//go:embed data/conditionkeys.json
	conditionKeysJSON string
	//go:embed data/rcpservices.json
	rcpServicesJSON string
	//go:embed data/NOTICE
	notice string
)

// decodeData decodes data, the content of the embedded JSON file
// data/<name>, into v.
func decodeData(name, data string, v any) {
	if err := json.Unmarshal([]byte(data), v); err != nil {
		panic(corrupt(name, err))
	}
}

func corrupt(name string, err error) string {
	return fmt.Sprintf("awsdata: embedded data/%s is corrupt (run go generate ./internal/awsdata): %v", name, err)
}

// Notice returns the text of data/NOTICE: the sources, pinned commits and
// licenses of the embedded data, to be shipped with the binary.
func Notice() string {
	return notice
}
