package org

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/securecart/warden/internal/policy"
)

// TestTokensDecodeAsText checks that a YAML document decoded from the
// tokens jsonConv records (policy.ParseTokens) is the document, errors and
// positions included, that reading its JSON text back gives (policy.Parse).
func TestTokensDecodeAsText(t *testing.T) {
	deep := "Version: \"2012-10-17\"\nStatement: [{Effect: Allow, Action: \"*\", Resource: \"*\", Condition: {StringEquals: {k: " +
		strings.Repeat("[", 40) + "v" + strings.Repeat("]", 40) + "}}}]"
	docs := []string{
		`{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}`,
		"Version: 2012-10-17\nStatement:\n  Sid: s1\n  Effect: Deny\n  NotAction: [s3:*, \"iam:*\"]\n  Resource: \"arn:aws:s3:::${account:Prod}/*\"\n" +
			"  Condition:\n    NumericLessThan: {aws:MultiFactorAuthAge: 3600}\n    Bool: {aws:SecureTransport: false}\n    \"Null\": {k: \"true\"}\n",
		`{Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: [123456789012, "arn:aws:iam::${account:Prod}:root"]}, Action: sts:AssumeRole}]}`,
		`{Version: "2012-10-17", Statement: []}`,
		`{Version: "2012-10-17", Statement: [{}], Id: {}}`,
		`{Version: "2012-10-17", Statement: [{Effect: Maybe, Action: [], Resource: "*", Bogus: 1}]}`,
		`{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:Get\u00e9\x01\"\\", Resource: "*"}]}`,
		`{Version: "2012-10-17", Statement: [{Effect: Allow, Action: null, Resource: [null]}]}`,
		"{}",
		deep,
	}
	l := &loader{decs: map[*source]*decoder{}}
	l.ph = &placeholders{ids: map[string]string{"Prod": "111122223333"}, names: []string{"Prod"}}
	for i, text := range docs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(text), &n); err != nil {
				t.Fatal(err)
			}
			src := &source{name: "test.yaml", data: []byte(text)}
			pr, ok := l.prepare(&rawDoc{kind: docYAML, src: src, node: fromLibrary(n.Content[0]), path: "doc"})
			if !ok {
				t.Fatalf("prepare failed: %v", l.errs.err())
			}
			if pr.toks == nil {
				t.Fatal("no tokens recorded")
			}
			toks := append([]policy.Token(nil), pr.toks...)
			gotDoc, gotErr := policy.ParseTokens(pr.text, toks, "f")
			wantDoc, wantErr := policy.Parse(pr.text, "f")
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("errors from tokens:\n%v\nfrom the text:\n%v", gotErr, wantErr)
			}
			if bad := i >= 3 && i != 6; bad != (wantErr != nil) {
				t.Errorf("errors: %v; want some: %v", wantErr, bad)
			}
			if !reflect.DeepEqual(gotDoc, wantDoc) {
				t.Errorf("document from tokens:\n%#v\nfrom the text:\n%#v", gotDoc, wantDoc)
			}
		})
	}
}
