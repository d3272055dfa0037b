package identitycenter

import (
	"context"
	"strconv"
	"time"

	"github.com/securecart/warden/internal/api"
	"github.com/securecart/warden/internal/call"
	"github.com/securecart/warden/internal/org"
)

// PermissionSetARN is the ARN of a permission set of an instance:
// arn:aws:sso:::permissionSet/ssoins-.../ps-<16 hex>, derived from its name.
func PermissionSetARN(instanceARN, name string) string {
	return org.PermissionSetARN(instanceARN, name)
}

type adminInput struct {
	InstanceARN      string  `json:"InstanceArn"`
	PermissionSetARN string  `json:"PermissionSetArn"`
	Name             *string `json:"Name"`
	Description      *string `json:"Description"`
	SessionDuration  *string `json:"SessionDuration"`
	RelayState       *string `json:"RelayState"`
	Tags             []struct{ Key, Value string }
	InlinePolicy     *string `json:"InlinePolicy"`
	ManagedPolicyARN string  `json:"ManagedPolicyArn"`
	CustomerRef      *struct {
		Name string
		Path *string
	} `json:"CustomerManagedPolicyReference"`
	PermissionsBoundary *struct {
		CustomerManagedPolicyReference *struct {
			Name string
			Path *string
		}
		ManagedPolicyArn *string
	}
	TargetID           string `json:"TargetId"`
	TargetType         string `json:"TargetType"`
	PrincipalType      string `json:"PrincipalType"`
	PrincipalID        string `json:"PrincipalId"`
	AccountID          string `json:"AccountId"`
	CreationRequestID  string `json:"AccountAssignmentCreationRequestId"`
	DeletionRequestID  string `json:"AccountAssignmentDeletionRequestId"`
	ProvisionRequestID string `json:"ProvisionPermissionSetRequestId"`
	ProvisioningStatus string `json:"ProvisioningStatus"`
	ResourceARN        string `json:"ResourceArn"`
	Filter             *struct{ Status string }
	MaxResults         *int   `json:"MaxResults"`
	NextToken          string `json:"NextToken"`
}

// adminCaller begins an sso-admin call: management account only, and the
// instance the input names.
func (s *Service) adminCaller(ctx context.Context, c *api.Call) (adminInput, *caller, error) {
	var in adminInput
	if err := decode(c, &in); err != nil {
		return in, nil, err
	}
	params := call.Fields{}
	for k, v := range map[string]string{"instanceArn": in.InstanceARN, "permissionSetArn": in.PermissionSetARN, "targetId": in.TargetID,
		"targetType": in.TargetType, "principalType": in.PrincipalType, "principalId": in.PrincipalID, "accountId": in.AccountID, "managedPolicyArn": in.ManagedPolicyARN} {
		if v != "" {
			params[k] = v
		}
	}
	if in.Name != nil {
		params["name"] = *in.Name
	}
	c.RequestParameters = params
	cl, err := s.begin(ctx, c, "sso", func(o *org.Org) string {
		if in.PermissionSetARN != "" {
			return in.PermissionSetARN
		}
		if o.IdentityCenter != nil {
			return o.IdentityCenter.InstanceARN
		}
		return "*"
	})
	if err != nil {
		return in, nil, err
	}
	if c.Action != "ListInstances" && in.InstanceARN != cl.ic.InstanceARN {
		if in.InstanceARN == "" {
			return in, nil, validation("1 validation error detected: Value null at 'instanceArn' failed to satisfy constraint: Member must not be null")
		}
		return in, nil, errf("ResourceNotFoundException", 400, "Instance %s not found.", in.InstanceARN)
	}
	return in, cl, nil
}

// setCaller begins an sso-admin call on the permission set the input names.
func (s *Service) setCaller(ctx context.Context, c *api.Call) (adminInput, *caller, *org.PermissionSet, error) {
	in, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return in, nil, nil, err
	}
	ps, err := cl.permissionSet(in.PermissionSetARN)
	return in, cl, ps, err
}

// permissionSet finds the permission set the input names.
func (cl *caller) permissionSet(arn string) (*org.PermissionSet, error) {
	if arn == "" {
		return nil, validation("1 validation error detected: Value null at 'permissionSetArn' failed to satisfy constraint: Member must not be null")
	}
	for _, ps := range cl.ic.PermissionSets {
		if PermissionSetARN(cl.ic.InstanceARN, ps.Name) == arn {
			return ps, nil
		}
	}
	return nil, errf("ResourceNotFoundException", 400, "Could not find PermissionSet with arn: %s", arn)
}

// ListInstances lists the org's one instance.
func (s *Service) ListInstances(ctx context.Context, c *api.Call) (any, error) {
	_, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return call.Fields{"Instances": []map[string]string{{"InstanceArn": cl.ic.InstanceARN, "IdentityStoreId": cl.ic.IdentityStoreID}}}, nil
}

// DescribeInstance describes the instance.
func (s *Service) DescribeInstance(ctx context.Context, c *api.Call) (any, error) {
	_, cl, err := s.adminCaller(ctx, c)
	if err != nil {
		return nil, err
	}
	return call.Fields{"InstanceArn": cl.ic.InstanceARN, "IdentityStoreId": cl.ic.IdentityStoreID, "OwnerAccountId": cl.o.Management.ID,
		"Name": "SecureCart", "Status": "ACTIVE"}, nil
}

type permissionSetOut struct {
	Name             string  `json:"Name"`
	PermissionSetArn string  `json:"PermissionSetArn"`
	Description      string  `json:"Description,omitempty"`
	CreatedDate      float64 `json:"CreatedDate"`
	SessionDuration  string  `json:"SessionDuration"`
	RelayState       string  `json:"RelayState,omitempty"`
}

// isoDuration writes seconds as ISO 8601 (PT8H, PT1H30M).
func isoDuration(secs int) string {
	d := time.Duration(secs) * time.Second
	out := "PT"
	if h := int(d / time.Hour); h > 0 {
		out += itoa(h) + "H"
	}
	if m := int(d%time.Hour) / int(time.Minute); m > 0 {
		out += itoa(m) + "M"
	}
	if out == "PT" {
		out = "PT0S"
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func (cl *caller) permissionSetOut(ctx context.Context, ps *org.PermissionSet) permissionSetOut {
	arn := PermissionSetARN(cl.ic.InstanceARN, ps.Name)
	return permissionSetOut{Name: ps.Name, PermissionSetArn: arn, Description: ps.Description,
		CreatedDate: float64(cl.created(ctx, arn).Unix()), SessionDuration: isoDuration(ps.SessionDuration), RelayState: ps.RelayState}
}
