package identitycenter_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/securecart/warden/internal/server/servertest"
)

// UpdateGroup sets a group's displayName, description and externalIds
// (Identity Store API Reference, UpdateGroup and Group), with AWS's rules:
// a display name no other group has, external IDs at most 10, each once,
// an issuer not beginning with arn: or aws:, naming no other group. A
// user's user name of a deleted-and-recreated user gets a new ID.
func TestUpdateGroup(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	is := identitystore.NewFromConfig(h.Config("", "", ""))
	st := aws.String(storeID)
	g, err := is.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: st, DisplayName: aws.String("Auditors")})
	if err != nil {
		t.Fatal(err)
	}
	update := func(ops ...istypes.AttributeOperation) error {
		_, err := is.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: st, GroupId: g.GroupId, Operations: ops})
		return err
	}
	op := func(path string, v any) istypes.AttributeOperation {
		return istypes.AttributeOperation{AttributePath: aws.String(path), AttributeValue: document.NewLazyDocument(v)}
	}
	if err := update(op("displayName", "External Auditors"), op("description", "Quarterly"),
		op("externalIds", []map[string]any{{"Issuer": "https://idp.example.com", "Id": "grp-7"}})); err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	d, err := is.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: st, GroupId: g.GroupId})
	if err != nil || aws.ToString(d.DisplayName) != "External Auditors" || aws.ToString(d.Description) != "Quarterly" ||
		len(d.ExternalIds) != 1 || aws.ToString(d.ExternalIds[0].Id) != "grp-7" {
		t.Errorf("DescribeGroup after UpdateGroup = %+v, %v", d, err)
	}
	byExt, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("https://idp.example.com"), Id: aws.String("grp-7")}}})
	if err != nil || aws.ToString(byExt.GroupId) != aws.ToString(g.GroupId) {
		t.Errorf("GetGroupId by the new external ID = %+v, %v", byExt, err)
	}
	byName, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("External Auditors")}}})
	if err != nil || aws.ToString(byName.GroupId) != aws.ToString(g.GroupId) {
		t.Errorf("GetGroupId by the new display name = %+v, %v", byName, err)
	}
	if err := update(op("description", nil), op("externalIds", nil)); err != nil {
		t.Fatal(err)
	}
	if d, err := is.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: st, GroupId: g.GroupId}); err != nil || d.Description != nil || len(d.ExternalIds) != 0 {
		t.Errorf("DescribeGroup after removing description and externalIds = %+v, %v", d, err)
	}

	// Negative twins.
	other, err := is.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: st, DisplayName: aws.String("Suppliers")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: st, GroupId: other.GroupId,
		Operations: []istypes.AttributeOperation{op("externalIds", []map[string]any{{"Issuer": "https://idp.example.com", "Id": "v-1"}})}}); err != nil {
		t.Fatal(err)
	}
	var conflict *istypes.ConflictException
	for name, ops := range map[string][]istypes.AttributeOperation{
		"another group's display name (other case)": {op("displayName", "VENDORS")},
		"another group's external ID":               {op("externalIds", []map[string]any{{"Issuer": "https://idp.example.com", "Id": "v-1"}})},
	} {
		if err := update(ops...); !errors.As(err, &conflict) || conflict.Reason != istypes.ConflictExceptionReasonUniquenessConstraintViolation {
			t.Errorf("UpdateGroup to %s: %v, want ConflictException (UNIQUENESS_CONSTRAINT_VIOLATION)", name, err)
		}
	}
	var invalid *istypes.ValidationException
	for name, o := range map[string]istypes.AttributeOperation{
		"displayName removed":          op("displayName", nil),
		"a reserved displayName":       op("displayName", "AWSAdministrators"),
		"an issuer beginning arn:":     op("externalIds", []map[string]any{{"Issuer": "arn:aws:iam::1:x", "Id": "1"}}),
		"an external ID given twice":   op("externalIds", []map[string]any{{"Issuer": "i", "Id": "1"}, {"Issuer": "i", "Id": "1"}}),
		"11 external IDs":              op("externalIds", elevenExternalIDs()),
		"an unknown path":              op("members", []string{"x"}),
		"a description that is a list": op("description", []string{"x"}),
	} {
		if err := update(o); !errors.As(err, &invalid) {
			t.Errorf("UpdateGroup with %s: %v, want ValidationException", name, err)
		}
	}

	// A user deleted and created again under the same name is another
	// user, with another ID (its predecessor's sign-in state is not its).
	u1, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("temp@securecart.example")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: st, UserId: u1.UserId}); err != nil {
		t.Fatal(err)
	}
	u2, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("temp@securecart.example")})
	if err != nil || aws.ToString(u2.UserId) == aws.ToString(u1.UserId) {
		t.Errorf("the recreated user's ID = %v, %v; want one other than %s", u2, err, aws.ToString(u1.UserId))
	}
}
