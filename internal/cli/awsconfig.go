package cli

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// writeProfile sets a profile's keys in an AWS config file: the section
// [profile NAME] is replaced (or added), everything else is kept. The file
// is created with mode 0600.
func writeProfile(path, profile string, keys map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	header := "[profile " + profile + "]"
	var out []string
	skipping := false
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			skipping = t == header
		}
		if !skipping && (line != "" || len(out) > 0) {
			out = append(out, line)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) > 0 {
		out = append(out, "")
	}
	out = append(out, header)
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		out = append(out, k+" = "+keys[k])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o600)
}
