package configservice

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/store"
)

// Compliance history, as AWS Config records it under the resource type
// AWS::Config::ResourceCompliance ("Viewing Compliance History Timeline for
// Resources", https://docs.aws.amazon.com/config/latest/developerguide/view-compliance-history.html):
// every change of a resource's results (a rule's compliance on it changed,
// a rule began or stopped evaluating it, the resource appeared or went
// away) appends one configuration item holding the resource's whole
// compliance then, rule by rule. In the store's records, shared by every
// replica:
//
//   - configservice/compliance, by ACCOUNT/TYPE/ID: a resource's current
//     results and the sequence numbers of its first kept and next history
//     items;
//   - configservice/history, by ACCOUNT/TYPE/ID/SEQ (SEQ zero-padded, so
//     the keys of one resource list in order): the items.
//
// Both are written in the same atomic batch, guarded by the version of the
// resource's compliance record, so replicas that evaluate the same state
// append one item, not one each.
//
// Retention: the latest HistoryLimit items per resource; appending beyond
// it deletes the oldest in the same batch, and the deletions' tombstones
// are purged once written (no one follows the history's changes). (AWS keeps configuration items
// 7 years unless a retention configuration says otherwise.)
const (
	nsCompliance = "configservice/compliance"
	nsHistory    = "configservice/history"
)

// HistoryLimit is how many compliance history items are kept per resource.
const HistoryLimit int64 = 1000

// The configurationItemStatus values of the history's items.
const (
	statusDiscovered = "ResourceDiscovered"
	statusOK         = "OK"
	statusDeleted    = "ResourceDeleted"
)

// ruleResult is one rule's compliance on a resource.
type ruleResult struct {
	Rule       string `json:"rule"`
	Compliance string `json:"compliance"`
}

// historyItem is one configuration item of a resource's compliance.
type historyItem struct {
	At         time.Time    `json:"at"`
	Status     string       `json:"status"`
	Compliance string       `json:"compliance,omitempty"`
	Rules      []ruleResult `json:"rules,omitempty"`
}

// resourceCompliance is a resource's current results, and which history
// items are kept: sequence numbers First (oldest kept) to Next-1. State is
// the version of the stored state whose evaluation wrote them (newer).
type resourceCompliance struct {
	Deleted bool         `json:"deleted,omitempty"`
	Rules   []ruleResult `json:"rules,omitempty"`
	First   int64        `json:"first"`
	Next    int64        `json:"next"`
	State   int64        `json:"state,omitempty"`
}

// resourceKey names a resource in the history's namespaces; the type and
// ID are path-escaped, so that one resource's prefix is no other's.
func resourceKey(account, typ, id string) string {
	return account + "/" + url.PathEscape(typ) + "/" + url.PathEscape(id)
}

func historyKey(resource string, seq int64) string {
	return resource + "/" + seqString(seq)
}

func seqString(seq int64) string { return fmt.Sprintf("%020d", seq) }

// overall is a resource's compliance over its rules' results, as
// DescribeComplianceByResource sums it.
func overall(rules []ruleResult) string {
	c, na := false, false
	for _, r := range rules {
		switch r.Compliance {
		case compliance.NonCompliant:
			return compliance.NonCompliant
		case compliance.Compliant:
			c = true
		case compliance.NotApplicable:
			na = true
		}
	}
	switch {
	case c:
		return compliance.Compliant
	case na:
		return compliance.NotApplicable
	}
	return compliance.InsufficientData
}

// currentResults groups an evaluation's results by resource, each
// resource's rules in name order.
func currentResults(run *compliance.LiveRun) map[string][]ruleResult {
	cur := map[string][]ruleResult{}
	for i := range run.Report.Evaluations {
		e := &run.Report.Evaluations[i]
		k := resourceKey(e.Resource.Account, e.Resource.Type, e.Resource.ID)
		cur[k] = append(cur[k], ruleResult{e.Rule, e.Compliance})
	}
	for _, rs := range cur {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Rule < rs[j].Rule })
	}
	return cur
}

// historyOps are the writes that append the evaluation's changes to the
// history: for each resource whose results differ from its recorded ones,
// an item and its new compliance record, and the oldest item dropped past
// HistoryLimit. A resource no longer reported by a rule that still ran and
// evaluated it before has gone (ResourceDeleted); one whose rules were all
// removed keeps an item with no rule (INSUFFICIENT_DATA). A resource whose
// results an evaluation of a newer state recorded is left as it is: this
// replica's copy of the state is behind (newer), and appending what it
// sees would record the older state again after the newer one.
func (s *service) historyOps(run *compliance.LiveRun) ([]store.RecordOp, error) {
	at := run.At.UTC()
	cur := currentResults(run)
	ran := map[string]bool{}
	for _, d := range run.Ran {
		ran[d.Name] = true
	}
	var ops []store.RecordOp
	add := func(k string, old store.Mirrored[resourceCompliance], exists bool, item historyItem, deleted bool) error {
		st := resourceCompliance{Deleted: deleted, Rules: item.Rules, First: old.Value.First, Next: old.Value.Next, State: run.State}
		if !exists {
			st.First, st.Next = 0, 0
		}
		doc, err := json.Marshal(item)
		if err != nil {
			return err
		}
		ops = append(ops, store.RecordOp{Namespace: nsHistory, Key: historyKey(k, st.Next), Doc: doc, At: at})
		st.Next++
		if st.Next-st.First > s.historyLimit {
			ops = append(ops, store.RecordOp{Namespace: nsHistory, Key: historyKey(k, st.First), Delete: true, Expect: store.AnyVersion, At: at})
			s.pruned = true
			st.First++
		}
		op, err := s.latest.Op(k, st, old.Version, at)
		if err != nil {
			return err
		}
		ops = append(ops, op)
		return nil
	}
	for _, k := range sortedKeys(cur) {
		rules := cur[k]
		old, ok := s.latest.Get(k)
		if ok && (old.Value.State > run.State || !old.Value.Deleted && slices.Equal(old.Value.Rules, rules)) {
			continue
		}
		status := statusOK
		if !ok || old.Value.Deleted {
			status = statusDiscovered
		}
		if err := add(k, old, ok, historyItem{At: at, Status: status, Compliance: overall(rules), Rules: rules}, false); err != nil {
			return nil, err
		}
	}
	all := s.latest.All()
	for _, k := range sortedKeys(all) {
		old := all[k]
		if _, now := cur[k]; now || old.Value.Deleted || old.Value.State > run.State {
			continue
		}
		gone := false
		for _, r := range old.Value.Rules {
			gone = gone || ran[r.Rule]
		}
		if gone {
			if err := add(k, old, true, historyItem{At: at, Status: statusDeleted}, true); err != nil {
				return nil, err
			}
		} else if len(old.Value.Rules) > 0 {
			if err := add(k, old, true, historyItem{At: at, Status: statusOK, Compliance: compliance.InsufficientData}, false); err != nil {
				return nil, err
			}
		}
	}
	return ops, nil
}

// purgeHistory forgets the tombstones of the history items deleted up to
// at, when the last write deleted some, so that the records kept stay
// within the retention bound.
func (s *service) purgeHistory(ctx context.Context, at time.Time) error {
	if !s.pruned {
		return nil
	}
	_, err := s.store.PurgeRecordTombstones(ctx, nsHistory, at.Add(time.Nanosecond))
	if err == nil {
		s.pruned = false
	}
	return err
}
