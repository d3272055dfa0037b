// Package cloudtrail implements the part of AWS CloudTrail (JSON 1.1,
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101) that reads
// Warden's trail: LookupEvents and ListPublicKeys. The trail belongs to the
// organization's audit account (SecureCart's Security account): only
// principals of that account allowed cloudtrail:LookupEvents read it, and no
// operation changes or deletes records.
package cloudtrail

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/awsproto"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store"
)

// Service serves the CloudTrail operations.
type Service struct {
	Store  store.Store
	Master *creds.Sealer
	Authz  *api.Authorizer
	// Owner returns the account that owns the trail.
	Owner func(ctx context.Context) (string, error)
	// People names Identity Center's users by ID (sso.UserNames), for the
	// Username of their events; nil for none.
	People func(ctx context.Context) (map[string]string, error)
}

// Handlers returns the operations by name.
func (s *Service) Handlers() map[string]api.Handler {
	return map[string]api.Handler{
		"LookupEvents":   s.LookupEvents,
		"ListPublicKeys": s.ListPublicKeys,
	}
}

func (s *Service) checkOwner(ctx context.Context, c *api.Call, action string) error {
	owner, err := s.Owner(ctx)
	if err != nil {
		return err
	}
	if c.Identity.Account != owner {
		return awsproto.Errorf("AccessDeniedException", "User: %s is not authorized to perform: %s: the organization trail is kept in account %s, and only principals of that account may read it", c.Identity.ARN, action, owner)
	}
	return s.Authz.Authorize(ctx, c, action, "*", nil)
}

type lookupAttribute struct {
	AttributeKey   string `json:"AttributeKey"`
	AttributeValue string `json:"AttributeValue"`
}

type lookupInput struct {
	LookupAttributes []lookupAttribute `json:"LookupAttributes,omitempty"`
	StartTime        *float64          `json:"StartTime,omitempty"`
	EndTime          *float64          `json:"EndTime,omitempty"`
	MaxResults       *int              `json:"MaxResults,omitempty"`
	NextToken        *string           `json:"NextToken,omitempty"`
	EventCategory    *string           `json:"EventCategory,omitempty"`
}

type event struct {
	EventID         string     `json:"EventId"`
	EventName       string     `json:"EventName"`
	ReadOnly        string     `json:"ReadOnly"`
	AccessKeyID     string     `json:"AccessKeyId,omitempty"`
	EventTime       float64    `json:"EventTime"`
	EventSource     string     `json:"EventSource"`
	Username        string     `json:"Username,omitempty"`
	Resources       []resource `json:"Resources"`
	CloudTrailEvent string     `json:"CloudTrailEvent"`
}

type resource struct {
	ResourceType string `json:"ResourceType"`
	ResourceName string `json:"ResourceName"`
}

type lookupOutput struct {
	Events    []event `json:"Events"`
	NextToken *string `json:"NextToken,omitempty"`
}

var attributeKeys = map[string]bool{"EventId": true, "EventName": true, "ReadOnly": true, "Username": true,
	"ResourceType": true, "ResourceName": true, "EventSource": true, "AccessKeyId": true}

// ScanBudget is how long one LookupEvents call scans the trail: when it has
// passed, the call returns the events found so far (perhaps none) and a
// NextToken to go on from, as CloudTrail's own pages may hold fewer events
// than MaxResults; the SDKs' paginators and the aws CLI follow it. Well
// within the server's 30 s write timeout and the CLI's 60 s read timeout.
var ScanBudget = 5 * time.Second

// LookupEvents returns records newest first, filtered by at most one lookup
// attribute and a time range, 50 at most per page
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html),
// fewer when the page's scan ran out of ScanBudget.
func (s *Service) LookupEvents(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	var in lookupInput
	if len(c.Body) > 0 {
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return nil, awsproto.Errorf("SerializationException", "The request body is not valid JSON: %v", err)
		}
	}
	c.RequestParameters = in
	if err := s.checkOwner(ctx, c, "cloudtrail:LookupEvents"); err != nil {
		return nil, err
	}
	f := audit.Filter{}
	if len(in.LookupAttributes) > 1 {
		return nil, awsproto.Errorf("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
	}
	if len(in.LookupAttributes) == 1 {
		a := in.LookupAttributes[0]
		if !attributeKeys[a.AttributeKey] {
			return nil, awsproto.Errorf("InvalidLookupAttributesException", "Invalid attribute key: %s", a.AttributeKey)
		}
		if a.AttributeValue == "" || len(a.AttributeValue) > 2000 {
			return nil, awsproto.Errorf("InvalidLookupAttributesException", "The attribute value must have 1 to 2000 characters.")
		}
		f.Attribute, f.Value = a.AttributeKey, a.AttributeValue
	}
	if in.EventCategory != nil && *in.EventCategory != "insight" {
		return nil, awsproto.Errorf("InvalidEventCategoryException", "Invalid event category %q", *in.EventCategory)
	}
	if in.StartTime != nil {
		f.Start = epoch(*in.StartTime)
	}
	if in.EndTime != nil {
		f.End = epoch(*in.EndTime)
	}
	if !f.Start.IsZero() && !f.End.IsZero() && f.Start.After(f.End) {
		return nil, awsproto.Errorf("InvalidTimeRangeException", "The start time must be before the end time.")
	}
	max := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, awsproto.Errorf("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
		}
		max = *in.MaxResults
	}
	var before int64
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		n, perr := strconv.ParseInt(strings.TrimPrefix(string(b), "seq:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "seq:") || n <= 0 {
			return nil, awsproto.Errorf("InvalidNextTokenException", "Invalid NextToken")
		}
		before = n
	}
	if s.People != nil {
		people, err := s.People(ctx)
		if err != nil {
			return nil, err
		}
		f.People = people
	}
	found, next, err := audit.LookupWithin(ctx, s.Store, f, before, max, ScanBudget)
	if err != nil {
		return nil, err
	}
	out := lookupOutput{Events: []event{}}
	for _, fr := range found {
		r := &fr.Record
		t, _ := time.Parse("2006-01-02T15:04:05Z", r.EventTime)
		ev := event{EventID: r.EventID, EventName: r.EventName, ReadOnly: strconv.FormatBool(r.ReadOnly), AccessKeyID: r.UserIdentity.AccessKeyID,
			EventTime: float64(t.Unix()), EventSource: r.EventSource, Username: audit.UsernameOf(r, f.People), Resources: []resource{}, CloudTrailEvent: string(fr.Raw)}
		for _, res := range r.Resources {
			ev.Resources = append(ev.Resources, resource{ResourceType: res.Type, ResourceName: res.ARN})
		}
		out.Events = append(out.Events, ev)
	}
	if next > 0 {
		tok := base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(next, 10)))
		out.NextToken = &tok
	}
	return out, nil
}

func epoch(f float64) time.Time {
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}

type publicKey struct {
	Value             string  `json:"Value"`
	ValidityStartTime float64 `json:"ValidityStartTime"`
	ValidityEndTime   float64 `json:"ValidityEndTime"`
	Fingerprint       string  `json:"Fingerprint"`
}

// ListPublicKeys returns the public keys that verify the trail's digests.
func (s *Service) ListPublicKeys(ctx context.Context, c *api.Call) (any, error) {
	c.ReadOnly = true
	if err := s.checkOwner(ctx, c, "cloudtrail:ListPublicKeys"); err != nil {
		return nil, err
	}
	keys, err := audit.PublicKeys(ctx, s.Store, s.Master)
	if err != nil {
		return nil, err
	}
	out := struct {
		PublicKeyList []publicKey `json:"PublicKeyList"`
	}{PublicKeyList: []publicKey{}}
	for _, k := range keys {
		end := c.Now.Add(24 * time.Hour * 365)
		if !k.Retired.IsZero() {
			end = k.Retired
		}
		out.PublicKeyList = append(out.PublicKeyList, publicKey{Value: base64.StdEncoding.EncodeToString(k.Public),
			ValidityStartTime: float64(k.Created.Unix()), ValidityEndTime: float64(end.Unix()), Fingerprint: k.Fingerprint()})
	}
	return out, nil
}
