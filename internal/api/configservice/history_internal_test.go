package configservice

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/state"
	"github.com/securecart/warden/internal/store"
	"github.com/securecart/warden/internal/store/sqlite"
)

// A resource's history keeps its latest historyLimit items: each change
// past it drops the oldest, in the same batch; a change that is no change
// appends nothing; a rule removed from the deployed ones leaves an item
// without it, not a deletion.
func TestHistoryRetention(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := &service{store: st, latest: store.NewMirror[resourceCompliance](st, nsCompliance), historyLimit: 3}
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	res := compliance.Resource{Type: "AWS::IAM::Role", ID: "AROAEXAMPLE", Account: "436205817493"}
	run := func(rules ...string) {
		t.Helper()
		at = at.Add(time.Minute)
		r := &compliance.LiveRun{Report: &compliance.Report{}, At: at, Ran: []state.ConfigRule{{Name: "a"}, {Name: "b"}}}
		for i := 0; i+1 < len(rules); i += 2 {
			r.Report.Evaluations = append(r.Report.Evaluations, compliance.Evaluation{Rule: rules[i], Resource: res, Compliance: rules[i+1]})
		}
		if len(rules) == 0 {
			r.Ran = r.Ran[:0]
		}
		if err := store.Write(t.Context(), st, func() ([]store.RecordOp, error) { return s.historyOps(r) }, s.latest); err != nil {
			t.Fatal(err)
		}
		if err := s.purgeHistory(t.Context(), at); err != nil {
			t.Fatal(err)
		}
	}
	items := func() []historyItem { return storedHistory(t, st, res) }
	run("a", compliance.Compliant)
	run("a", compliance.Compliant) // no change
	if got := items(); len(got) != 1 || got[0].Status != statusDiscovered {
		t.Fatalf("after one change: %+v", got)
	}
	run("a", compliance.NonCompliant)
	run("a", compliance.NonCompliant, "b", compliance.Compliant)
	run("a", compliance.Compliant, "b", compliance.Compliant)
	got := items()
	if len(got) != 3 || got[0].Compliance != compliance.NonCompliant || got[2].Compliance != compliance.Compliant || len(got[2].Rules) != 2 {
		t.Fatalf("past the limit: %+v", got)
	}
	// The dropped items' tombstones are purged: the namespace's changes
	// since its start can no longer be replayed.
	if _, err := st.RecordChanges(t.Context(), nsHistory, 0, 100); !errors.Is(err, store.ErrStale) {
		t.Errorf("history tombstones kept: RecordChanges since 0 = %v, want ErrStale", err)
	}
	// Every rule removed (none ran): an item with no rule, not a deletion.
	run()
	got = items()
	if last := got[len(got)-1]; len(got) != 3 || last.Status != statusOK || len(last.Rules) != 0 || last.Compliance != compliance.InsufficientData {
		t.Fatalf("rules removed: %+v", got)
	}
}

// A replica whose copy of the state is behind another's (within the
// store's bound on staleness) and evaluates it records nothing over what
// an evaluation of a newer state recorded: not the older compliance again
// in the history, nor in the result, nor the resource's return or its
// going away.
func TestHistoryOlderState(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := &service{store: st, results: store.NewMirror[recorded](st, nsResults), status: store.NewMirror[ruleStatus](st, nsStatus),
		latest: store.NewMirror[resourceCompliance](st, nsCompliance), historyLimit: HistoryLimit}
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	res := compliance.Resource{Type: "AWS::IAM::Policy", ID: "ANPAEXAMPLE", Account: "436205817493"}
	run := func(version int64, result string) {
		t.Helper()
		at = at.Add(time.Minute)
		r := &compliance.LiveRun{Report: &compliance.Report{}, At: at, State: version, Ran: []state.ConfigRule{{Name: "a"}}}
		if result != "" {
			r.Report.Evaluations = []compliance.Evaluation{{Rule: "a", Resource: res, Compliance: result}}
		}
		if err := s.persist(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	statuses := func() []string {
		t.Helper()
		var out []string
		for _, h := range storedHistory(t, st, res) {
			out = append(out, h.Status+" "+h.Compliance)
		}
		return out
	}
	result := func() recorded {
		t.Helper()
		if err := s.results.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		r, _ := s.results.Get("a/" + res.Type + "/" + res.ID)
		return r.Value
	}
	run(2, compliance.NonCompliant)
	run(3, compliance.Compliant)
	changed := at
	run(2, compliance.NonCompliant) // a replica still on version 2
	if got, want := statuses(), []string{"ResourceDiscovered NON_COMPLIANT", "OK COMPLIANT"}; !slices.Equal(got, want) {
		t.Fatalf("after an evaluation of an older state: history %q, want %q", got, want)
	}
	if r := result(); r.Compliance != compliance.Compliant || !r.At.Equal(changed) || r.State != 3 {
		t.Fatalf("after an evaluation of an older state: result %+v, want COMPLIANT since %v from version 3", r, changed)
	}
	run(4, "")                   // gone
	run(3, compliance.Compliant) // a replica still on version 3: not back
	run(5, compliance.Compliant) // back
	run(4, "")                   // a replica still on version 4: not gone again
	want := []string{"ResourceDiscovered NON_COMPLIANT", "OK COMPLIANT", "ResourceDeleted ", "ResourceDiscovered COMPLIANT"}
	if got := statuses(); !slices.Equal(got, want) {
		t.Fatalf("history %q, want %q", got, want)
	}
}

// storedHistory is a resource's history items as stored, oldest first.
func storedHistory(t *testing.T, st store.Store, res compliance.Resource) []historyItem {
	t.Helper()
	recs, err := store.AllRecords(t.Context(), st, nsHistory, resourceKey(res.Account, res.Type, res.ID)+"/")
	if err != nil {
		t.Fatal(err)
	}
	var out []historyItem
	for _, r := range recs {
		var h historyItem
		if err := json.Unmarshal(r.Doc, &h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}
