package org

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"
)

func loadGenerated(t testing.TB, data []byte) *Org {
	t.Helper()
	o, err := LoadFS(fstest.MapFS{"org.yaml": {Data: data}}, "org.yaml")
	if err != nil {
		t.Fatalf("the generated organization does not load:\n%.2000v", err)
	}
	return o
}

func TestGenerate(t *testing.T) {
	a, b := Generate(50, 6, 7), Generate(50, 6, 7)
	if !bytes.Equal(a, b) {
		t.Error("Generate is not deterministic")
	}
	if bytes.Equal(a, Generate(50, 6, 8)) {
		t.Error("Generate ignores the seed")
	}
	o := loadGenerated(t, a)
	if got := len(o.Accounts); got != 50 {
		t.Errorf("%d accounts, want 50", got)
	}
	for _, acct := range o.Accounts[1:] {
		defined := 0
		for _, r := range acct.Roles {
			if r.PermissionSet == "" {
				defined++
			}
		}
		if defined != 6 {
			t.Fatalf("account %s has %d defined roles, want 6", acct.Name, defined)
		}
	}
	if o.SCPLevels(o.Accounts[2].ID) == nil {
		t.Error("no SCP levels for a member account")
	}
	if got, want := fmt.Sprint(len(o.Resources)), "49"; got != want {
		t.Errorf("%s resources, want %s", got, want)
	}
}

// BenchmarkLoadLarge loads an organization of 1,000 accounts with 20 roles
// each.
func BenchmarkLoadLarge(b *testing.B) {
	data := Generate(1000, 20, 1)
	loadGenerated(b, data) // warm up: decode the AWS managed policies once
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		loadGenerated(b, data)
	}
}
