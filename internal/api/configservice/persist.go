package configservice

import (
	"context"
	"time"

	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/store"
)

// AWS Config's state beside the organization's rules, in the store's
// records, shared by every replica:
//
//   - configservice/results, by RULE/RESOURCE-TYPE/RESOURCE-ID: a result's
//     current compliance and when it was first recorded
//     (ResultRecordedTime), kept until the compliance changes;
//   - configservice/status, by rule name: when the rule was first and last
//     evaluated (DescribeConfigRuleEvaluationStatus);
//   - configservice/compliance and configservice/history: each resource's
//     compliance history (history.go).
const (
	nsResults = "configservice/results"
	nsStatus  = "configservice/status"
)

// recorded is a result's compliance since At, as an evaluation of the
// stored state's version State recorded it.
type recorded struct {
	Compliance string    `json:"compliance"`
	At         time.Time `json:"at"`
	State      int64     `json:"state,omitempty"`
}

// ruleStatus is a rule's first and last evaluation.
type ruleStatus struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

func resultKey(e *compliance.Evaluation) string {
	return e.Rule + "/" + e.Resource.Type + "/" + e.Resource.ID
}

// persist records an evaluation: the results whose compliance changed
// (first recorded now), and each rule's evaluation times. A result another
// replica recorded first keeps that replica's time, and one an evaluation
// of a newer state recorded is not changed back (as in historyOps).
func (s *service) persist(ctx context.Context, run *compliance.LiveRun) error {
	at := run.At.UTC()
	err := store.Write(ctx, s.store, func() ([]store.RecordOp, error) {
		var ops []store.RecordOp
		for i := range run.Report.Evaluations {
			e := &run.Report.Evaluations[i]
			k := resultKey(e)
			old, ok := s.results.Get(k)
			if ok && (old.Value.Compliance == e.Compliance || old.Value.State > run.State) {
				continue
			}
			op, err := s.results.Op(k, recorded{e.Compliance, at, run.State}, old.Version, at)
			if err != nil {
				return nil, err
			}
			ops = append(ops, op)
		}
		for _, d := range run.Ran {
			old, ok := s.status.Get(d.Name)
			st := ruleStatus{First: at, Last: at}
			if ok {
				if !old.Value.Last.Before(at) {
					continue
				}
				st.First = old.Value.First
			}
			op, err := s.status.Op(d.Name, st, old.Version, at)
			if err != nil {
				return nil, err
			}
			ops = append(ops, op)
		}
		hist, err := s.historyOps(run)
		return append(ops, hist...), err
	}, s.results, s.status, s.latest)
	if err != nil {
		return err
	}
	return s.purgeHistory(ctx, at)
}
