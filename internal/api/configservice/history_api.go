package configservice

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/store"
)

// resourceComplianceType is the resource type of compliance history.
const resourceComplianceType = "AWS::Config::ResourceCompliance"

type historyInput struct {
	ResourceType       string          `json:"resourceType"`
	ResourceID         string          `json:"resourceId"`
	LaterTime          *awsproto.Epoch `json:"laterTime"`
	EarlierTime        *awsproto.Epoch `json:"earlierTime"`
	ChronologicalOrder string          `json:"chronologicalOrder"`
	Limit              int             `json:"limit"`
	NextToken          string          `json:"nextToken"`
}

// ConfigurationItem is the API's ConfigurationItem shape, as AWS fills it
// for AWS::Config::ResourceCompliance ("Querying Compliance History for
// your AWS Resources").
type ConfigurationItem struct {
	Version                      string            `json:"version"`
	AccountID                    string            `json:"accountId"`
	ConfigurationItemCaptureTime awsproto.Epoch    `json:"configurationItemCaptureTime"`
	ConfigurationItemStatus      string            `json:"configurationItemStatus"`
	ConfigurationStateID         string            `json:"configurationStateId"`
	ConfigurationItemMD5Hash     string            `json:"configurationItemMD5Hash"`
	ResourceType                 string            `json:"resourceType"`
	ResourceID                   string            `json:"resourceId"`
	AwsRegion                    string            `json:"awsRegion"`
	Tags                         map[string]string `json:"tags"`
	RelatedEvents                []string          `json:"relatedEvents"`
	Relationships                []Relationship    `json:"relationships"`
	Configuration                string            `json:"configuration,omitempty"`
	SupplementaryConfiguration   map[string]string `json:"supplementaryConfiguration"`
}

// Relationship ties the compliance item to the resource it is about.
type Relationship struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId"`
	RelationshipName string `json:"relationshipName"`
}

// complianceConfiguration is an item's configuration (a JSON string in the
// item).
type complianceConfiguration struct {
	ComplianceType     string           `json:"complianceType"`
	TargetResourceID   string           `json:"targetResourceId"`
	TargetResourceType string           `json:"targetResourceType"`
	ConfigRuleList     []configRuleItem `json:"configRuleList"`
}

type configRuleItem struct {
	ConfigRuleArn  string `json:"configRuleArn"`
	ConfigRuleID   string `json:"configRuleId"`
	ConfigRuleName string `json:"configRuleName"`
	ComplianceType string `json:"complianceType"`
}

func notDiscovered(typ, id string) error {
	return errf("ResourceNotDiscoveredException", "Resource %s of resourceType:%s is unknown or has not been discovered", id, typ)
}

// GetResourceConfigHistory lists a resource's configuration items. Warden
// records one resource type, AWS::Config::ResourceCompliance: the
// compliance history of the caller's account's resources, named
// TYPE/ID (AWS::IAM::Policy/ANPA...). Items come newest first unless
// chronologicalOrder is Forward, between earlierTime and laterTime (both
// included; laterTime defaults to now, and then bounds nothing: every item
// recorded, whichever replica's clock stamped it), limit per page (10 by
// default, at most 100), nextToken for the next.
func (s *service) GetResourceConfigHistory(ctx context.Context, c *api.Call) (any, error) {
	var in historyInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if in.ResourceType == "" || in.ResourceID == "" {
		return nil, errf("ValidationException", "resourceType and resourceId are required")
	}
	if !resourceTypes[in.ResourceType] {
		return nil, errf("ValidationException", "1 validation error detected: Value '%s' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set", in.ResourceType)
	}
	if in.ChronologicalOrder != "" && in.ChronologicalOrder != "Reverse" && in.ChronologicalOrder != "Forward" {
		return nil, errf("ValidationException", "1 validation error detected: Value '%s' at 'chronologicalOrder' failed to satisfy constraint: Member must satisfy enum value set: [Reverse, Forward]", in.ChronologicalOrder)
	}
	if in.Limit < 0 || in.Limit > 100 {
		return nil, errf("InvalidLimitException", "limit: %d is not between 0 and 100", in.Limit)
	}
	if err := s.authz.Authorize(ctx, c, "config:GetResourceConfigHistory", "*", nil); err != nil {
		return nil, err
	}
	c.ReadOnly = true
	c.RequestParameters = call.Fields{"resourceType": in.ResourceType, "resourceId": in.ResourceID}
	// laterTime defaults to now ("If not specified, current time is
	// taken", GetResourceConfigHistory in the AWS Config API Reference).
	// Without it, every item recorded so far is in: it was captured before
	// this request, although another replica whose clock runs ahead of this
	// one's stamped it later than this replica's now.
	later, bounded := s.now().UTC(), false
	if in.LaterTime != nil {
		later, bounded = time.Time(*in.LaterTime), true
	}
	var earlier time.Time
	if in.EarlierTime != nil {
		earlier = time.Time(*in.EarlierTime)
		if earlier.After(later) {
			return nil, errf("InvalidTimeRangeException", "The specified time range is not valid. The earlier time is not chronologically before the later time.")
		}
	}
	if in.ResourceType != resourceComplianceType {
		return nil, notDiscovered(in.ResourceType, in.ResourceID)
	}
	typ, id, ok := strings.Cut(in.ResourceID, "/")
	if !ok || typ == "" || id == "" {
		return nil, notDiscovered(in.ResourceType, in.ResourceID)
	}
	// The history follows the live state: evaluate first if it changed.
	if _, err := s.evaluation(ctx); err != nil {
		return nil, err
	}
	account := c.Identity.Account
	key := resourceKey(account, typ, id)
	recs, err := store.AllRecords(ctx, s.store, nsHistory, key+"/")
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notDiscovered(in.ResourceType, in.ResourceID)
	}
	type seqItem struct {
		seq  string
		item historyItem
	}
	var items []seqItem
	for _, r := range recs {
		var h historyItem
		if err := json.Unmarshal(r.Doc, &h); err != nil {
			return nil, err
		}
		if h.At.Before(earlier) || bounded && h.At.After(later) {
			continue
		}
		items = append(items, seqItem{strings.TrimPrefix(r.Key, key+"/"), h})
	}
	if in.ChronologicalOrder != "Forward" {
		for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
			items[i], items[j] = items[j], items[i]
		}
	}
	from := 0
	if in.NextToken != "" {
		from = -1
		for i, it := range items {
			if it.seq == in.NextToken {
				from = i
			}
		}
		if from < 0 {
			return nil, errf("InvalidNextTokenException", "The nextToken provided is invalid")
		}
	}
	limit := in.Limit
	if limit == 0 {
		limit = 10
	}
	to, next := from+limit, ""
	if to < len(items) {
		next = items[to].seq
	} else {
		to = len(items)
	}
	out := struct {
		ConfigurationItems []ConfigurationItem `json:"configurationItems"`
		NextToken          string              `json:"nextToken,omitempty"`
	}{ConfigurationItems: []ConfigurationItem{}, NextToken: next}
	for _, it := range items[from:to] {
		ci, err := complianceItem(c.Region, account, typ, id, it.item)
		if err != nil {
			return nil, err
		}
		out.ConfigurationItems = append(out.ConfigurationItems, ci)
	}
	return out, nil
}

// complianceItem is a history item as AWS shows it.
func complianceItem(region, account, typ, id string, h historyItem) (ConfigurationItem, error) {
	ci := ConfigurationItem{Version: "1.3", AccountID: account, ConfigurationItemCaptureTime: awsproto.Epoch(h.At),
		ConfigurationItemStatus: h.Status, ConfigurationStateID: strconv.FormatInt(h.At.UnixMilli(), 10),
		ResourceType: resourceComplianceType, ResourceID: typ + "/" + id, AwsRegion: region,
		Tags: map[string]string{}, RelatedEvents: []string{}, SupplementaryConfiguration: map[string]string{},
		Relationships: []Relationship{{ResourceType: typ, ResourceID: id, RelationshipName: "Is associated with "}}}
	if h.Status == statusDeleted {
		return ci, nil
	}
	conf := complianceConfiguration{ComplianceType: h.Compliance, TargetResourceID: id, TargetResourceType: typ, ConfigRuleList: []configRuleItem{}}
	for _, r := range h.Rules {
		rid := ruleID(r.Rule)
		conf.ConfigRuleList = append(conf.ConfigRuleList, configRuleItem{ConfigRuleArn: ruleARN(region, account, rid), ConfigRuleID: rid,
			ConfigRuleName: r.Rule, ComplianceType: r.Compliance})
	}
	b, err := json.Marshal(conf)
	ci.Configuration = string(b)
	return ci, err
}
