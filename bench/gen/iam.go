package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The IAM side: the simulate case format of /work/shared/spec/simulate.md,
// restricted to what the benchmark scenarios use. Decoding rejects unknown
// fields, so a scenario that uses something this program does not translate
// fails instead of being translated wrongly.

type iamCase struct {
	Name     string      `json:"name"`
	Request  iamRequest  `json:"request"`
	Policies iamPolicies `json:"policies"`
	Expect   string      `json:"expect,omitempty"`
}

type iamRequest struct {
	Principal       string                `json:"principal"`
	Action          string                `json:"action"`
	Resource        string                `json:"resource"`
	ResourceAccount string                `json:"resourceAccount,omitempty"`
	Context         map[string]contextVal `json:"context,omitempty"`
}

// contextVal is a request context value: a string or an array of strings.
type contextVal struct {
	Multi  bool
	Values []string
}

func (v contextVal) MarshalJSON() ([]byte, error) {
	if v.Multi {
		return json.Marshal(v.Values)
	}
	return json.Marshal(v.Values[0])
}

func (v *contextVal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = contextVal{Values: []string{s}}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("context value must be a string or an array of strings: %s", b)
	}
	*v = contextVal{Multi: true, Values: ss}
	return nil
}

func str(s string) contextVal { return contextVal{Values: []string{s}} }
func (v contextVal) clone() contextVal {
	return contextVal{v.Multi, append([]string(nil), v.Values...)}
}

type iamPolicies struct {
	Identity []iamPolicy `json:"identity,omitempty"`
	Boundary []iamPolicy `json:"boundary,omitempty"`
	Session  *iamPolicy  `json:"session,omitempty"`
	Resource *iamPolicy  `json:"resource,omitempty"`
	SCP      []iamLevel  `json:"scp,omitempty"`
	RCP      []iamLevel  `json:"rcp,omitempty"`
}

type iamLevel struct {
	Target   string      `json:"target"`
	Policies []iamPolicy `json:"policies"`
}

type iamPolicy struct {
	Version   string        `json:"Version"`
	Statement iamStatements `json:"Statement"`
}

// iamStatements accepts a single statement object or an array.
type iamStatements []iamStatement

func (s *iamStatements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one iamStatement
		if err := strictUnmarshal(b, &one); err != nil {
			return err
		}
		*s = iamStatements{one}
		return nil
	}
	var many []iamStatement
	if err := strictUnmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

type iamStatement struct {
	Sid         string          `json:"Sid,omitempty"`
	Effect      string          `json:"Effect"`
	Principal   json.RawMessage `json:"Principal,omitempty"`
	Action      strList         `json:"Action,omitempty"`
	NotAction   strList         `json:"NotAction,omitempty"`
	Resource    strList         `json:"Resource,omitempty"`
	NotResource strList         `json:"NotResource,omitempty"`
	Condition   conditionBlock  `json:"Condition,omitempty"`
}

// conditionBlock is operator -> key -> values.
type conditionBlock map[string]map[string]strList

// strList is an IAM string-or-array element. Condition values may also be
// JSON booleans or numbers, which IAM treats as their string form.
type strList []string

func (l strList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

func (l *strList) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	one := func(v any) (string, error) {
		switch v := v.(type) {
		case string:
			return v, nil
		case bool:
			return strconv.FormatBool(v), nil
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		}
		return "", fmt.Errorf("expected a string, got %s", b)
	}
	if arr, ok := raw.([]any); ok {
		out := make(strList, 0, len(arr))
		for _, v := range arr {
			s, err := one(v)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
		return nil
	}
	s, err := one(raw)
	if err != nil {
		return err
	}
	*l = strList{s}
	return nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func marshalCase(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
