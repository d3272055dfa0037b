package awsdata

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/go-json-experiment/json"
)

//go:embed data/*.gz data/NOTICE
var dataFS embed.FS

// readData returns the uncompressed content of the embedded file data/<name>.
func readData(name string) []byte {
	b, err := dataFS.ReadFile("data/" + name)
	if err == nil {
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(b)); err == nil {
			// The gzip trailer ends with the uncompressed size (mod 2^32):
			// read into a buffer of that size instead of growing one.
			var raw bytes.Buffer
			if len(b) >= 4 {
				raw.Grow(int(binary.LittleEndian.Uint32(b[len(b)-4:])) + bytes.MinRead)
			}
			if _, err = io.Copy(&raw, zr); err == nil {
				return raw.Bytes()
			}
		}
	}
	panic(corrupt(name, err))
}

// decodeData decodes the embedded gzip-compressed JSON file data/<name> into v.
func decodeData(name string, v any) {
	if err := json.Unmarshal(readData(name), v); err != nil {
		panic(corrupt(name, err))
	}
}

func corrupt(name string, err error) string {
	return fmt.Sprintf("awsdata: embedded data/%s is corrupt (run go generate ./internal/awsdata): %v", name, err)
}

// Notice returns the text of data/NOTICE: the sources, pinned commits and
// licenses of the embedded data, to be shipped with the binary.
func Notice() string {
	b, err := dataFS.ReadFile("data/NOTICE")
	if err != nil {
		panic(corrupt("NOTICE", err))
	}
	return string(b)
}
