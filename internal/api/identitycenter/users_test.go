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

// A user's full identity store shape (Identity Store API Reference, User):
// created, described, updated by attribute path and found by its unique
// attributes (GetUserId: userName, emails.value, or an external ID), with
// AWS's validation; the landing zone's people carry their emails and the
// identity provider's external IDs.
func TestUserAttributes(t *testing.T) {
	h := servertest.Start(t, servertest.Options{})
	ctx := servertest.Ctx(t)
	is := identitystore.NewFromConfig(h.Config("", "", ""))
	st := aws.String(storeID)

	in := &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("grace@securecart.example"), DisplayName: aws.String("Grace Hopper"),
		Name:     &istypes.Name{GivenName: aws.String("Grace"), FamilyName: aws.String("Hopper"), HonorificPrefix: aws.String("Rear Admiral")},
		NickName: aws.String("Amazing Grace"), ProfileUrl: aws.String("https://example.com/grace"),
		Emails:       []istypes.Email{{Value: aws.String("grace@securecart.example"), Type: aws.String("work"), Primary: true}},
		Addresses:    []istypes.Address{{StreetAddress: aws.String("1 Navy Way"), Locality: aws.String("Arlington"), Country: aws.String("US"), Primary: true}},
		PhoneNumbers: []istypes.PhoneNumber{{Value: aws.String("+1 555 0100"), Type: aws.String("mobile")}},
		UserType:     aws.String("Employee"), Title: aws.String("Engineer"), PreferredLanguage: aws.String("en-US"), Locale: aws.String("en_US"),
		Timezone: aws.String("America/New_York")}
	u, err := is.CreateUser(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	d, err := is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: st, UserId: u.UserId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Name.GivenName) != "Grace" || aws.ToString(d.Name.HonorificPrefix) != "Rear Admiral" || aws.ToString(d.NickName) != "Amazing Grace" ||
		len(d.Emails) != 1 || aws.ToString(d.Emails[0].Value) != "grace@securecart.example" || !d.Emails[0].Primary ||
		len(d.Addresses) != 1 || aws.ToString(d.Addresses[0].Locality) != "Arlington" || len(d.PhoneNumbers) != 1 ||
		aws.ToString(d.PhoneNumbers[0].Type) != "mobile" || aws.ToString(d.Timezone) != "America/New_York" || aws.ToString(d.Title) != "Engineer" ||
		aws.ToString(d.UserType) != "Employee" || aws.ToString(d.Locale) != "en_US" || aws.ToString(d.PreferredLanguage) != "en-US" ||
		aws.ToString(d.ProfileUrl) != "https://example.com/grace" {
		t.Errorf("DescribeUser = %+v", d)
	}

	byEmail := func(email string) (*identitystore.GetUserIdOutput, error) {
		return is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
			Value: istypes.UniqueAttribute{AttributePath: aws.String("emails.value"), AttributeValue: document.NewLazyDocument(email)}}})
	}
	if id, err := byEmail("GRACE@securecart.example"); err != nil || aws.ToString(id.UserId) != aws.ToString(u.UserId) {
		t.Errorf("GetUserId by emails.value (other case) = %v, %v; want %s", id, err, aws.ToString(u.UserId))
	}
	var nf *istypes.ResourceNotFoundException
	if _, err := byEmail("nobody@securecart.example"); !errors.As(err, &nf) {
		t.Errorf("GetUserId by an unknown email: %v, want ResourceNotFoundException", err)
	}
	// The landing zone's people: their emails and Okta's IDs.
	alice, err := byEmail("alice@securecart.example")
	if err != nil {
		t.Fatalf("GetUserId of the landing zone's alice by email: %v", err)
	}
	ext, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("securecart.okta.com"), Id: aws.String("alice")}}})
	if err != nil || aws.ToString(ext.UserId) != aws.ToString(alice.UserId) {
		t.Errorf("GetUserId by external ID = %v, %v; want alice %s", ext, err, aws.ToString(alice.UserId))
	}
	if _, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("securecart.okta.com"), Id: aws.String("mallory")}}}); !errors.As(err, &nf) {
		t.Errorf("GetUserId by an unknown external ID: %v, want ResourceNotFoundException", err)
	}
	gid, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("securecart.okta.com"), Id: aws.String("developers")}}})
	if err != nil {
		t.Fatalf("GetGroupId by external ID: %v", err)
	}
	if g, err := is.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: st, GroupId: gid.GroupId}); err != nil ||
		aws.ToString(g.DisplayName) != "Developers" || len(g.ExternalIds) != 1 || aws.ToString(g.ExternalIds[0].Id) != "developers" {
		t.Errorf("DescribeGroup of the group with Okta's ID developers = %+v, %v", g, err)
	}
	if _, err := is.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("other.okta.com"), Id: aws.String("developers")}}}); !errors.As(err, &nf) {
		t.Errorf("GetGroupId by another issuer's ID: %v, want ResourceNotFoundException", err)
	}
	var invalid *istypes.ValidationException
	if _, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberUniqueAttribute{
		Value: istypes.UniqueAttribute{AttributePath: aws.String("title"), AttributeValue: document.NewLazyDocument("Engineer")}}}); !errors.As(err, &invalid) {
		t.Errorf("GetUserId by title (not unique): %v, want ValidationException", err)
	}

	// UpdateUser: replace a sub-attribute and a list, remove one (null).
	ops := []istypes.AttributeOperation{
		{AttributePath: aws.String("name.givenName"), AttributeValue: document.NewLazyDocument("G.")},
		{AttributePath: aws.String("emails"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Value": "hopper@securecart.example", "Primary": true}})},
		{AttributePath: aws.String("title")},
	}
	if _, err := is.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: st, UserId: u.UserId, Operations: ops}); err != nil {
		t.Fatal(err)
	}
	d, err = is.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: st, UserId: u.UserId})
	if err != nil || aws.ToString(d.Name.GivenName) != "G." || aws.ToString(d.Name.FamilyName) != "Hopper" || d.Title != nil ||
		len(d.Emails) != 1 || aws.ToString(d.Emails[0].Value) != "hopper@securecart.example" {
		t.Errorf("after UpdateUser: %+v, %v", d, err)
	}
	if _, err := byEmail("grace@securecart.example"); !errors.As(err, &nf) {
		t.Errorf("GetUserId by the replaced email: %v, want ResourceNotFoundException", err)
	}

	// Negative twins: what AWS refuses.
	var conflict *istypes.ConflictException
	if _, err := is.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: st, UserName: aws.String("imposter"),
		Emails: []istypes.Email{{Value: aws.String("Alice@SecureCart.example")}}}); !errors.As(err, &conflict) {
		t.Errorf("CreateUser with alice's email: %v, want ConflictException", err)
	}
	if _, err := is.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: st, UserId: u.UserId, Operations: []istypes.AttributeOperation{
		{AttributePath: aws.String("emails"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Value": "bob@securecart.example"}})}}}); !errors.As(err, &conflict) {
		t.Errorf("UpdateUser to bob's email: %v, want ConflictException", err)
	}
	for name, bad := range map[string]*identitystore.CreateUserInput{
		"two emails":                 {IdentityStoreId: st, UserName: aws.String("two"), Emails: []istypes.Email{{Value: aws.String("a@x.example")}, {Value: aws.String("b@x.example")}}},
		"an email without its value": {IdentityStoreId: st, UserName: aws.String("novalue"), Emails: []istypes.Email{{Type: aws.String("work")}}},
		"a title of 1025 characters": {IdentityStoreId: st, UserName: aws.String("long"), Title: aws.String(repeat("x", 1025))},
	} {
		if _, err := is.CreateUser(ctx, bad); !errors.As(err, &invalid) {
			t.Errorf("CreateUser with %s: %v, want ValidationException", name, err)
		}
	}
	for name, op := range map[string]istypes.AttributeOperation{
		"an unknown path":                   {AttributePath: aws.String("shoeSize"), AttributeValue: document.NewLazyDocument("42")},
		"userName removed":                  {AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(nil)},
		"userName with a space":             {AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("erin smith")},
		"userName Administrator (reserved)": {AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("Administrator")},
		"externalIds of an arn: issuer":     {AttributePath: aws.String("externalIds"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Issuer": "arn:aws:x", "Id": "y"}})},
		"externalIds of an aws: issuer":     {AttributePath: aws.String("externalIds"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Issuer": "AWS:sso", "Id": "y"}})},
		"externalIds given twice":           {AttributePath: aws.String("externalIds"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Issuer": "okta", "Id": "y"}, {"Issuer": "okta", "Id": "y"}})},
		"11 externalIds":                    {AttributePath: aws.String("externalIds"), AttributeValue: document.NewLazyDocument(elevenExternalIDs())},
		"emails as a string":                {AttributePath: aws.String("emails"), AttributeValue: document.NewLazyDocument("a@x.example")},
		"an unknown email field":            {AttributePath: aws.String("emails"), AttributeValue: document.NewLazyDocument([]map[string]any{{"Value": "a@x.example", "Verified": true}})},
		"a display name of 1025 characters": {AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(repeat("x", 1025))},
	} {
		if _, err := is.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: st, UserId: u.UserId, Operations: []istypes.AttributeOperation{op}}); !errors.As(err, &invalid) {
			t.Errorf("UpdateUser of %s: %v, want ValidationException", name, err)
		}
	}
	if _, err := is.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: st, AlternateIdentifier: &istypes.AlternateIdentifierMemberExternalId{
		Value: istypes.ExternalId{Issuer: aws.String("AWS:sso"), Id: aws.String("x")}}}); !errors.As(err, &invalid) {
		t.Errorf("GetUserId with an issuer beginning aws: %v, want ValidationException", err)
	}
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

func elevenExternalIDs() []map[string]any {
	var out []map[string]any
	for i := range 11 {
		out = append(out, map[string]any{"Issuer": "idp" + string(rune('a'+i)), "Id": "x"})
	}
	return out
}
