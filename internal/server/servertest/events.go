package servertest

import (
	"context"
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
