package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// compactJSON encodes v as compact JSON without HTML escaping, ending in a
// newline.
func compactJSON(name string, v any) ([]byte, error) {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s: %w", name, err)
	}
	return raw.Bytes(), nil
}

// writeJSON writes v as compact JSON (compactJSON). The files are not
// compressed: the binary embeds them as they are, so that a process reads
// the parts it needs in place instead of inflating every file first.
func writeJSON(dir, name string, v any) error {
	b, err := compactJSON(name, v)
	if err != nil {
		return err
	}
	return writeFile(dir, name, b)
}

func writeFile(dir, name string, b []byte) error {
	return os.WriteFile(filepath.Join(dir, name), b, 0o644)
}

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
