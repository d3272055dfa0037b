package identitycenter

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/store"
)

// The statuses of the asynchronous operations (account assignment creation
// and deletion, permission set provisioning) are records of the store
// (namespace sso/requests, key KIND/REQUEST-ID), so that every replica
// answers Describe...Status and List...Status alike, and after a restart.
// Warden completes each operation before it answers, so a status is
// SUCCEEDED or FAILED from the start. Statuses are kept StatusRetention.

// StatusRetention is how long a request's status is kept.
const StatusRetention = 30 * 24 * time.Hour

const statusNamespace = "sso/requests"

// The kinds of statuses.
const (
	kindCreate    = "create"
	kindDelete    = "delete"
	kindProvision = "provision"
)

// operationStatus is AccountAssignmentOperationStatus and
// PermissionSetProvisioningStatus.
type operationStatus struct {
	Status           string  `json:"Status"`
	RequestID        string  `json:"RequestId"`
	FailureReason    string  `json:"FailureReason,omitempty"`
	TargetID         string  `json:"TargetId,omitempty"`
	TargetType       string  `json:"TargetType,omitempty"`
	AccountID        string  `json:"AccountId,omitempty"`
	PermissionSetARN string  `json:"PermissionSetArn,omitempty"`
	PrincipalType    string  `json:"PrincipalType,omitempty"`
	PrincipalID      string  `json:"PrincipalId,omitempty"`
	CreatedDate      float64 `json:"CreatedDate"`
}

// addStatus records a new request's status, and forgets those older than
// StatusRetention.
func (s *Service) addStatus(ctx context.Context, kind string, st operationStatus, now time.Time) (operationStatus, error) {
	st.RequestID, st.CreatedDate = audit.NewEventID(), float64(now.Unix()) // a random UUID
	doc, _ := json.Marshal(st)                                             // a status always marshals
	if _, err := s.Store.PutRecord(ctx, statusNamespace, kind+"/"+st.RequestID, doc, 0, now); err != nil {
		return st, err
	}
	return st, s.purgeStatuses(ctx, now)
}

// purgeStatuses deletes the statuses older than StatusRetention, at most
// once an hour per replica.
func (s *Service) purgeStatuses(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	due := now.Sub(s.purged) >= time.Hour
	if due {
		s.purged = now
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	recs, err := store.AllRecords(ctx, s.Store, statusNamespace, "")
	if err != nil {
		return err
	}
	var ops []store.RecordOp
	for _, r := range recs {
		if now.Sub(r.Updated) > StatusRetention {
			ops = append(ops, store.RecordOp{Namespace: statusNamespace, Key: r.Key, Delete: true, Expect: r.Version, At: now})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	if _, err := s.Store.ApplyRecords(ctx, ops); err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// status reads a request's status.
func (s *Service) status(ctx context.Context, kind, id string) (operationStatus, bool, error) {
	var st operationStatus
	if id == "" {
		return st, false, nil
	}
	r, err := s.Store.Record(ctx, statusNamespace, kind+"/"+id)
	if errors.Is(err, store.ErrNotFound) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	return st, json.Unmarshal(r.Doc, &st) == nil, nil
}

// statuses lists the statuses of a kind, newest first, with Status the
// filter names (all when "").
func (s *Service) statuses(ctx context.Context, kind, status string) ([]operationStatus, error) {
	recs, err := store.AllRecords(ctx, s.Store, statusNamespace, kind+"/")
	if err != nil {
		return nil, err
	}
	var out []operationStatus
	for _, r := range recs {
		var st operationStatus
		if json.Unmarshal(r.Doc, &st) == nil && (status == "" || st.Status == status) {
			out = append(out, st)
		}
	}
	slices.SortStableFunc(out, func(a, b operationStatus) int {
		switch {
		case a.CreatedDate > b.CreatedDate:
			return -1
		case a.CreatedDate < b.CreatedDate:
			return 1
		}
		return 0
	})
	return out, nil
}

func (s *Service) describeStatus(ctx context.Context, c *api.Call, kind, key string, id func(adminInput) string) (any, error) {
	in, _, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	st, ok, err := s.status(ctx, kind, id(in))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errf("ResourceNotFoundException", 400, "Request %s not found.", id(in))
	}
	return call.Fields{key: st}, nil
}

// DescribeAccountAssignmentCreationStatus returns a creation's status.
func (s *Service) DescribeAccountAssignmentCreationStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, kindCreate, "AccountAssignmentCreationStatus", func(in adminInput) string { return in.CreationRequestID })
}

// DescribeAccountAssignmentDeletionStatus returns a deletion's status.
func (s *Service) DescribeAccountAssignmentDeletionStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, kindDelete, "AccountAssignmentDeletionStatus", func(in adminInput) string { return in.DeletionRequestID })
}

// DescribePermissionSetProvisioningStatus returns a provisioning's status.
func (s *Service) DescribePermissionSetProvisioningStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.describeStatus(ctx, c, kindProvision, "PermissionSetProvisioningStatus", func(in adminInput) string { return in.ProvisionRequestID })
}

// statusMetadata is AccountAssignmentOperationStatusMetadata and
// PermissionSetProvisioningStatusMetadata.
type statusMetadata struct {
	Status      string  `json:"Status"`
	RequestID   string  `json:"RequestId"`
	CreatedDate float64 `json:"CreatedDate"`
}

func (s *Service) listStatuses(ctx context.Context, c *api.Call, kind, key string) (any, error) {
	in, _, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	want := ""
	if in.Filter != nil {
		want = in.Filter.Status
		if want != "" && want != "IN_PROGRESS" && want != "FAILED" && want != "SUCCEEDED" {
			return nil, validation("1 validation error detected: Value '%s' at 'filter.status' failed to satisfy constraint: Member must satisfy enum value set: [IN_PROGRESS, FAILED, SUCCEEDED]", want)
		}
	}
	sts, err := s.statuses(ctx, kind, want)
	if err != nil {
		return nil, err
	}
	out := make([]statusMetadata, len(sts))
	for i, st := range sts {
		out[i] = statusMetadata{Status: st.Status, RequestID: st.RequestID, CreatedDate: st.CreatedDate}
	}
	return listed(pagingOf(in), key, out)
}

// ListAccountAssignmentCreationStatus lists the creations' statuses.
func (s *Service) ListAccountAssignmentCreationStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.listStatuses(ctx, c, kindCreate, "AccountAssignmentsCreationStatus")
}

// ListAccountAssignmentDeletionStatus lists the deletions' statuses.
func (s *Service) ListAccountAssignmentDeletionStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.listStatuses(ctx, c, kindDelete, "AccountAssignmentsDeletionStatus")
}

// ListPermissionSetProvisioningStatus lists the provisionings' statuses.
func (s *Service) ListPermissionSetProvisioningStatus(ctx context.Context, c *api.Call) (any, error) {
	return s.listStatuses(ctx, c, kindProvision, "PermissionSetsProvisioningStatus")
}
