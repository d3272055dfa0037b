package accessanalyzer

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/securecart/warden/internal/analyze"
)

// sameAccess compares every stored field: a finding that went through its
// stored JSON is the same as before, and a change of any field is seen.
func TestSameAccess(t *testing.T) {
	f := analyze.Finding{ID: "id", Resource: "arn:aws:s3:::b", ResourceType: "AWS::S3::Bucket", ResourceOwnerAccount: "111111111111",
		Principal: map[string]string{"AWS": "*"}, Action: []string{"s3:GetObject"}, Condition: map[string]string{"aws:SourceVpce": "vpce-1"},
		IsPublic: false, Example: &analyze.Request{Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: map[string][]string{"aws:SourceVpce": {"vpce-1"}}},
		Statement: &analyze.StatementRef{Policy: "p", Sid: "s", Index: 1}}
	data, err := json.Marshal(&f)
	if err != nil {
		t.Fatal(err)
	}
	var back analyze.Finding
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !sameAccess(&f, &back) {
		t.Fatalf("a finding and its stored form differ")
	}
	// Every exported field of Finding, changed, is seen.
	v := reflect.ValueOf(&back).Elem()
	for i := range v.NumField() {
		c := back
		cv := reflect.ValueOf(&c).Elem().Field(i)
		switch cv.Kind() {
		case reflect.String:
			cv.SetString(cv.String() + "x")
		case reflect.Bool:
			cv.SetBool(!cv.Bool())
		case reflect.Map:
			cv.Set(reflect.ValueOf(map[string]string{"other": "x"}))
		case reflect.Slice:
			cv.Set(reflect.ValueOf([]string{"other:Action"}))
		case reflect.Pointer:
			cv.Set(reflect.Zero(cv.Type()))
		}
		if sameAccess(&f, &c) {
			t.Errorf("a change of %s is not seen", v.Type().Field(i).Name)
		}
	}
}
