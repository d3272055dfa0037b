package state

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/org"
)

// FromFiles reads org files (one file, or a directory of *.yaml, *.yml and
// *.json files, as org.Load does) into a document: each file's top-level
// lists concatenated, documents given as {file: PATH} read in as strings.
// The files are loaded first, so that their errors name the file, line and
// column.
func FromFiles(fsys fs.FS, name string) (*Doc, error) {
	if _, err := org.LoadFSWith(fsys, name, org.Options{AllowDetached: true}); err != nil {
		return nil, err
	}
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	files := []string{name}
	if info.IsDir() {
		entries, err := fs.ReadDir(fsys, name)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range entries {
			ext := strings.ToLower(path.Ext(e.Name()))
			if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				files = append(files, path.Join(name, e.Name()))
			}
		}
		sort.Strings(files)
	}
	merged := map[string]any{}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			v, err := inlineFiles(fsys, path.Dir(f), v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if list, ok := v.([]any); ok {
				prev, _ := merged[k].([]any)
				merged[k] = append(prev, list...)
				continue
			}
			if _, dup := merged[k]; dup {
				return nil, fmt.Errorf("%s: %s is given in more than one file", f, k)
			}
			merged[k] = v
		}
	}
	// Round-trip through JSON so the document holds JSON types only.
	data, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	d := &Doc{}
	if err := json.Unmarshal(data, &d.Org); err != nil {
		return nil, err
	}
	return d, nil
}

// inlineFiles replaces {file: PATH} documents by the file's text.
func inlineFiles(fsys fs.FS, dir string, v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if f, ok := t["file"].(string); ok && len(t) == 1 {
			data, err := fs.ReadFile(fsys, path.Join(dir, f))
			if err != nil {
				return nil, err
			}
			return string(data), nil
		}
		for k, e := range t {
			r, err := inlineFiles(fsys, dir, e)
			if err != nil {
				return nil, err
			}
			t[k] = r
		}
	case []any:
		for i, e := range t {
			r, err := inlineFiles(fsys, dir, e)
			if err != nil {
				return nil, err
			}
			t[i] = r
		}
	}
	return v, nil
}

// SourceDigest identifies the organization of org files, as FromFiles read
// them: the SHA-256 of its JSON.
func SourceDigest(d *Doc) string {
	data, err := json.Marshal(d.Org)
	if err != nil {
		// A Spec is plain data; it always marshals.
		panic(fmt.Sprintf("state: org spec does not marshal: %v", err))
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
