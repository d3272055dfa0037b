// Package state keeps the organization's live state in the store: one
// document in Warden's org format (JSON), seeded from org files on a new
// store, changed by the IAM and Organizations APIs with optimistic
// concurrency, and loaded into an *org.Org that every request reads.
//
// Replicas share the document through the store. Each caches the loaded org
// and checks the stored version at most every RefreshInterval, and at once
// when asked (Fresh), so that a change made through one replica is used at
// once through another when a request needs it.
package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store"
)

// RefreshInterval bounds how stale a replica's cached org may be.
const RefreshInterval = 250 * time.Millisecond

// Doc is the stored document: the org in Warden's format (an org.Spec,
// edited through its methods), and what the format does not hold (IAM
// metadata such as creation dates and managed policy versions).
type Doc struct {
	Org  *org.Spec `json:"org"`
	Meta Meta      `json:"meta"`
}

// Meta is state that the org format does not describe.
type Meta struct {
	// Created records when IAM entities were created, by ARN.
	Created map[string]time.Time `json:"created,omitempty"`
	// PolicyVersions are the versions of customer managed policies, by
	// policy ARN; the default version's document is the one in the org.
	PolicyVersions map[string][]PolicyVersion `json:"policyVersions,omitempty"`
	// Seq numbers entities created through the APIs (OU and account IDs).
	Seq int64 `json:"seq,omitempty"`
	// Seeded is when the store was seeded: the creation time of the
	// entities of the org files it was seeded with.
	Seeded time.Time `json:"seeded"`
	// Source is the digest (SourceDigest) of the org files the store was
	// seeded with, or last replaced with: serve --org with the same files
	// again keeps the store as the APIs made it.
	Source string `json:"source,omitempty"`
	// ConfigRules are the AWS Config rules deployed to every account of
	// the organization, once ConfigRulesSet; until then the AWS managed
	// rules with their defaults are.
	ConfigRules    []ConfigRule `json:"configRules,omitempty"`
	ConfigRulesSet bool         `json:"configRulesSet,omitempty"`
	// ConfigAggregators are AWS Config's configuration aggregators.
	ConfigAggregators []ConfigAggregator `json:"configAggregators,omitempty"`
}

// ConfigAggregator gathers the compliance of accounts into one account:
// the whole organization's (Organization) or the listed accounts'.
type ConfigAggregator struct {
	Name         string    `json:"name"`
	Account      string    `json:"account"` // the account that holds it
	Organization bool      `json:"organization,omitempty"`
	Accounts     []string  `json:"accounts,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// ConfigRule is an AWS Config rule as PutConfigRule defines it: an AWS
// managed rule by its SourceIdentifier, with its InputParameters.
type ConfigRule struct {
	Name       string `json:"name"`
	ID         string `json:"id"`         // config-rule-xxxxxx
	Identifier string `json:"identifier"` // an AWS managed rule's; compliance.CustomIdentifier for the org's own
	// Owner is AWS, or CUSTOM_POLICY for the organization's own CEL rules,
	// whose PolicyRuntime and PolicyText CustomPolicyDetails gave.
	Owner         string            `json:"owner,omitempty"`
	PolicyRuntime string            `json:"policyRuntime,omitempty"`
	PolicyText    string            `json:"policyText,omitempty"`
	Description   string            `json:"description,omitempty"`
	Params        map[string]string `json:"params,omitempty"`
	ResourceTypes []string          `json:"resourceTypes,omitempty"` // the scope; empty: the rule's own
	Frequency     string            `json:"frequency,omitempty"`     // MaximumExecutionFrequency of a periodic rule
	CreatedBy     string            `json:"createdBy,omitempty"`
	Created       time.Time         `json:"created"`
}

// PolicyVersion is one version of a customer managed policy.
type PolicyVersion struct {
	ID       string          `json:"id"` // v1, v2, ...
	Document json.RawMessage `json:"document"`
	Default  bool            `json:"default"`
	Created  time.Time       `json:"created"`
}

// Manager serves the current org and applies changes.
type Manager struct {
	st    store.Store
	clock func() time.Time

	mu      sync.Mutex
	org     *org.Org
	meta    Meta
	version int64
	checked time.Time
}

// New returns a manager over st.
func New(st store.Store, clock func() time.Time) *Manager {
	return &Manager{st: st, clock: clock}
}

// Org returns the current org, checking the store's version at most every
// RefreshInterval.
func (m *Manager) Org(ctx context.Context) (*org.Org, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.org != nil && m.clock().Sub(m.checked) < RefreshInterval {
		return m.org, nil
	}
	return m.refreshLocked(ctx)
}

// Versioned returns the current org, as Org does, with the version of the
// stored document it was loaded from: versions only grow, so a consumer
// that derives something from the org (Access Analyzer's findings) can tell
// whether another replica derived it from a newer one.
func (m *Manager) Versioned(ctx context.Context) (*org.Org, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.org != nil && m.clock().Sub(m.checked) < RefreshInterval {
		return m.org, m.version, nil
	}
	o, err := m.refreshLocked(ctx)
	return o, m.version, err
}

// Current returns the current org and the document's Meta, as Org does.
// The Meta is shared: callers must not change it.
func (m *Manager) Current(ctx context.Context) (*org.Org, Meta, error) {
	o, meta, _, err := m.CurrentVersion(ctx)
	return o, meta, err
}

// CurrentVersion returns what Current does, with the version of the stored
// document the org and Meta were loaded from (as Versioned).
func (m *Manager) CurrentVersion(ctx context.Context) (*org.Org, Meta, int64, error) {
	if _, err := m.Org(ctx); err != nil {
		return nil, Meta{}, 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// The newest trio: another request may have loaded a newer one since.
	return m.org, m.meta, m.version, nil
}

// Fresh returns the org as stored now, for a request that found something
// missing in the cached copy.
func (m *Manager) Fresh(ctx context.Context) (*org.Org, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshLocked(ctx)
}

func (m *Manager) refreshLocked(ctx context.Context) (*org.Org, error) {
	v, err := m.st.StateVersion(ctx)
	if err != nil {
		return nil, err
	}
	if m.org != nil && v == m.version {
		m.checked = m.clock()
		return m.org, nil
	}
	raw, v, err := m.st.State(ctx)
	if err != nil {
		return nil, err
	}
	var d Doc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("state: stored document: %w", err)
	}
	o, err := Build(&d)
	if err != nil {
		return nil, fmt.Errorf("state: stored document does not load: %w", err)
	}
	m.org, m.meta, m.version, m.checked = o, d.Meta, v, m.clock()
	return o, nil
}

// Doc returns the document as stored now: for what the loaded org does not
// keep (documents as written, metadata).
func (m *Manager) Doc(ctx context.Context) (*Doc, error) {
	raw, _, err := m.st.State(ctx)
	if err != nil {
		return nil, err
	}
	var d Doc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("state: stored document: %w", err)
	}
	if d.Org == nil {
		d.Org = &org.Spec{}
	}
	return &d, nil
}

// Build loads a document's org.
func Build(d *Doc) (*org.Org, error) {
	if d.Org == nil {
		d.Org = &org.Spec{}
	}
	return d.Org.Load()
}

// ErrInvalid wraps the loader's errors when a change would make the org
// invalid.
var ErrInvalid = errors.New("state: the change would make the organization invalid")

// Mutate applies fn to the current document and stores the result if it
// still loads, retrying from the new state when another writer got there
// first. fn may run several times; it must only change d. It returns the new
// org.
func (m *Manager) Mutate(ctx context.Context, fn func(d *Doc) error) (*org.Org, error) {
	for attempt := 0; ; attempt++ {
		raw, v, err := m.st.State(ctx)
		if err != nil {
			return nil, err
		}
		var d Doc
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, err
		}
		if d.Org == nil {
			d.Org = &org.Spec{}
		}
		if d.Meta.Created == nil {
			d.Meta.Created = map[string]time.Time{}
		}
		if d.Meta.PolicyVersions == nil {
			d.Meta.PolicyVersions = map[string][]PolicyVersion{}
		}
		before := ResourcePolicies(d.Org)
		if err := fn(&d); err != nil {
			return nil, err
		}
		o, err := Build(&d)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if err := o.RefusedPublicPolicies(Written(before, ResourcePolicies(d.Org))); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		out, err := json.Marshal(&d)
		if err != nil {
			return nil, err
		}
		nv, err := m.st.PutState(ctx, out, v)
		if errors.Is(err, store.ErrConflict) && attempt < 50 {
			continue
		}
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		if nv > m.version {
			m.org, m.meta, m.version, m.checked = o, d.Meta, nv, m.clock()
		}
		m.mu.Unlock()
		return o, nil
	}
}

// Seed stores doc as the first state if the store has none, and reports
// whether it did.
func (m *Manager) Seed(ctx context.Context, d *Doc) (bool, error) {
	if d.Meta.Seeded.IsZero() {
		d.Meta.Seeded = m.clock().UTC()
	}
	o, err := Build(d)
	if err != nil {
		return false, err
	}
	// Every policy of a first state is written by it; a store that has a
	// state keeps it (below), and nothing is written.
	if v, err := m.st.StateVersion(ctx); err != nil {
		return false, err
	} else if v == 0 {
		if err := o.RefusedPublicPolicies(Written(nil, ResourcePolicies(d.Org))); err != nil {
			return false, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	data, err := json.Marshal(d)
	if err != nil {
		return false, err
	}
	_, err = m.st.PutState(ctx, data, 0)
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}
