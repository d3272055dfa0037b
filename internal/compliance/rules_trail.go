package compliance

import "github.com/securecart/warden/internal/org"

// The rules on the organization's trail. An organization trail records
// every account of the organization, so it counts in each
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html).

func init() {
	trailRule := func(id, name, desc, control, fix, page string, ok func(Trail) (bool, string)) {
		register(&ManagedRule{
			Identifier: id, Name: name, Description: desc,
			ResourceTypes: []string{TypeAccount}, Periodic: true,
			Severity: "HIGH", Controls: controlList(control), Remediation: fix, Page: page,
			eval: func(in *Input, r *Rule) []Evaluation {
				return perAccount(in, func(a *org.Account, _ CredentialEntry) (string, string) {
					t := in.Trail
					if t.Name == "" || !(t.Organization || t.HomeAccount == a.ID) {
						return NonCompliant, "no trail records this account"
					}
					if good, why := ok(t); !good {
						return NonCompliant, "trail " + t.Name + " " + why
					}
					return Compliant, "trail " + t.Name + " records this account"
				})
			},
		})
	}
	trailRule("CLOUD_TRAIL_ENABLED", "cloudtrail-enabled", "Checks that a CloudTrail trail records the account.", "",
		"Start the organization trail (warden serve records every call while it runs).",
		"https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-enabled.html",
		func(t Trail) (bool, string) { return t.Logging, "is not logging" })
	trailRule("MULTI_REGION_CLOUD_TRAIL_ENABLED", "multi-region-cloudtrail-enabled", "Checks that a multi-Region trail records the account.", "CloudTrail.1",
		"Make the trail record every Region.",
		"https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html",
		func(t Trail) (bool, string) {
			if !t.Logging {
				return false, "is not logging"
			}
			return t.MultiRegion, "records one Region only"
		})
	trailRule("CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "cloud-trail-log-file-validation-enabled", "Checks that the trail writes signed digest files.", "CloudTrail.4",
		"Enable log file validation on the trail.",
		"https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html",
		func(t Trail) (bool, string) { return t.LogFileValidation, "has no log file validation" })
}

func controlList(c string) []string {
	if c == "" {
		return nil
	}
	return []string{c}
}
