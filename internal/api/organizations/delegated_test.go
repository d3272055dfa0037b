package organizations_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgs "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/securecart/warden/internal/server/servertest"
)

const securityID = "218364950271"

// Delegated administrators through aws-sdk-go-v2 (Organizations API
// Reference: RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator,
// ListDelegatedAdministrators, ListDelegatedServicesForAccount): the
// landing zone's Security account administers Identity Center and the
// security services; the management account registers and deregisters;
// IAM Identity Center takes one delegated administrator, never the
// management account; a delegated administrator may list them, another
// member account may not.
func TestDelegatedAdministrators(t *testing.T) {
	h, c := start(t)
	ctx := servertest.Ctx(t)
	svc, err := c.ListDelegatedServicesForAccount(ctx, &orgs.ListDelegatedServicesForAccountInput{AccountId: aws.String(securityID)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range svc.DelegatedServices {
		got = append(got, aws.ToString(s.ServicePrincipal))
	}
	if want := []string{"access-analyzer.amazonaws.com", "config.amazonaws.com", "securityhub.amazonaws.com", "sso.amazonaws.com"}; !slices.Equal(got, want) {
		t.Errorf("Security's delegated services = %v, want %v", got, want)
	}
	list, err := c.ListDelegatedAdministrators(ctx, &orgs.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("sso.amazonaws.com")})
	if err != nil || len(list.DelegatedAdministrators) != 1 || aws.ToString(list.DelegatedAdministrators[0].Id) != securityID ||
		list.DelegatedAdministrators[0].DelegationEnabledDate == nil || aws.ToString(list.DelegatedAdministrators[0].Name) != "Security" {
		t.Fatalf("ListDelegatedAdministrators(sso) = %+v, %v", list, err)
	}

	var conflict *types.AccountAlreadyRegisteredException
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(securityID), ServicePrincipal: aws.String("sso.amazonaws.com")}); !errors.As(err, &conflict) {
		t.Errorf("registering Security again: %v, want AccountAlreadyRegisteredException", err)
	}
	var constraint *types.ConstraintViolationException
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("sso.amazonaws.com")}); !errors.As(err, &constraint) ||
		constraint.Reason != types.ConstraintViolationExceptionReasonMaxDelegatedAdministratorsForServiceLimitExceeded {
		t.Errorf("a second delegated administrator of sso: %v, want ConstraintViolationException MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", err)
	}
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(mgmtID), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); !errors.As(err, &constraint) ||
		constraint.Reason != types.ConstraintViolationExceptionReasonCannotRegisterMasterAsDelegatedAdministrator {
		t.Errorf("registering the management account: %v, want CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", err)
	}
	var invalid *types.InvalidInputException
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("GuardDuty")}); !errors.As(err, &invalid) {
		t.Errorf("a malformed service principal: %v, want InvalidInputException", err)
	}
	var notFound *types.AccountNotFoundException
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String("999999999999"), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); !errors.As(err, &notFound) {
		t.Errorf("an account outside the organization: %v, want AccountNotFoundException", err)
	}

	// Dev administers GuardDuty, then no longer.
	if _, err := c.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.ListDelegatedServicesForAccount(ctx, &orgs.ListDelegatedServicesForAccountInput{AccountId: aws.String(devID)}); err != nil ||
		len(s.DelegatedServices) != 1 || aws.ToString(s.DelegatedServices[0].ServicePrincipal) != "guardduty.amazonaws.com" {
		t.Errorf("Dev's services after registering = %+v, %v", s, err)
	}
	// A delegated administrator may list; a member account that is none may not.
	devOrgs := orgs.NewFromConfig(assume(t, h, "arn:aws:iam::"+devID+":role/OrganizationAccountAccessRole"))
	if all, err := devOrgs.ListDelegatedAdministrators(ctx, &orgs.ListDelegatedAdministratorsInput{}); err != nil || len(all.DelegatedAdministrators) != 2 {
		t.Errorf("ListDelegatedAdministrators from Dev (a delegated administrator) = %+v, %v; want Security and Dev", all, err)
	}
	if _, err := c.DeregisterDelegatedAdministrator(ctx, &orgs.DeregisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	var notRegistered *types.AccountNotRegisteredException
	if _, err := c.DeregisterDelegatedAdministrator(ctx, &orgs.DeregisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); !errors.As(err, &notRegistered) {
		t.Errorf("deregistering twice: %v, want AccountNotRegisteredException", err)
	}
	if _, err := c.ListDelegatedServicesForAccount(ctx, &orgs.ListDelegatedServicesForAccountInput{AccountId: aws.String(devID)}); !errors.As(err, &notRegistered) {
		t.Errorf("ListDelegatedServicesForAccount(Dev) after deregistering: %v, want AccountNotRegisteredException", err)
	}
	var denied *types.AccessDeniedException
	if _, err := devOrgs.ListDelegatedAdministrators(ctx, &orgs.ListDelegatedAdministratorsInput{}); !errors.As(err, &denied) {
		t.Errorf("ListDelegatedAdministrators from Dev (no longer one): %v, want AccessDeniedException", err)
	}
	if _, err := devOrgs.RegisterDelegatedAdministrator(ctx, &orgs.RegisterDelegatedAdministratorInput{AccountId: aws.String(devID), ServicePrincipal: aws.String("guardduty.amazonaws.com")}); !errors.As(err, &denied) {
		t.Errorf("RegisterDelegatedAdministrator from Dev: %v, want AccessDeniedException", err)
	}
}
