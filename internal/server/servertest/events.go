package servertest

import (
	"context"
	"strings"
	"sync"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
)

// Events is an Auditor that keeps the events a server records, for tests
// that check the trail (Options.Audit).
type Events struct {
	mu  sync.Mutex
	all []*call.Event
}

// Record implements call.Auditor.
func (e *Events) Record(_ context.Context, ev *call.Event) error {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	return nil
}

// All returns the events recorded so far.
func (e *Events) All() []*call.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*call.Event(nil), e.all...)
}

// Find returns the CloudTrail records of one event source and name.
func (e *Events) Find(source, name string) []*audit.Record {
	var out []*audit.Record
	for _, ev := range e.All() {
		for _, r := range audit.Records(ev) {
			if r.EventSource == source && r.EventName == name {
				out = append(out, r)
			}
		}
	}
	return out
}

// SignInWorkflows returns the sign-in events (signin.amazonaws.com) by
// their AuthWorkflowID, each as "EventName CredentialType Outcome userName
// [UserName=…] [LoginTo=path]" (LoginTo without base), in the order
// recorded, and the workflows in the order they began. An event without
// an AuthWorkflowID is under "".
func (e *Events) SignInWorkflows(base string) (map[string][]string, []string) {
	out, order := map[string][]string{}, []string(nil)
	for _, ev := range e.All() {
		if ev.EventSource != "signin.amazonaws.com" {
			continue
		}
		m, _ := ev.Call.AdditionalEventData.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		user := ""
		if ev.Call.Person != nil {
			user = ev.Call.Person.UserName
		}
		outcome := "Success"
		if ev.ErrorCode != "" {
			outcome = "Failure"
		}
		step := ev.Call.Action + " " + str("CredentialType") + " " + outcome + " " + user
		if n := str("UserName"); n != "" {
			step += " UserName=" + n
		}
		if l := str("LoginTo"); l != "" {
			step += " LoginTo=" + strings.TrimPrefix(l, base)
		}
		w := str("AuthWorkflowID")
		if _, ok := out[w]; !ok {
			order = append(order, w)
		}
		out[w] = append(out[w], step)
	}
	return out, order
}
