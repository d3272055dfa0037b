package detect

// Kind is a finding type: its GuardDuty name, its ASFF type as Security Hub
// shows GuardDuty's findings, its default severity and its page.
type Kind struct {
	Name string
	// ASFF is the finding's Types entry: "TTPs/<tactic>/" and the name with
	// "/" made "-", as the table of GuardDuty's Security Hub integration
	// gives it (https://docs.aws.amazon.com/guardduty/latest/ug/securityhub-integration.html).
	ASFF string
	// Severity is GuardDuty's default severity: 2 (Low), 5 (Medium), 8
	// (High).
	Severity float64
	Title    string
	Page     string
}

const iamPage = "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html#"

// The finding types the detections produce.
var (
	RootCredentialUsage = Kind{Name: "Policy:IAMUser/RootCredentialUsage", ASFF: "TTPs/Policy:IAMUser-RootCredentialUsage",
		Severity: 2, Title: "An API was invoked using root credentials.", Page: iamPage + "policy-iam-rootcredentialusage"}
	CloudTrailLoggingDisabled = Kind{Name: "Stealth:IAMUser/CloudTrailLoggingDisabled", ASFF: "TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled",
		Severity: 2, Title: "AWS CloudTrail logging was disabled.", Page: iamPage + "stealth-iam-cloudtrailloggingdisabled"}
	DefenseEvasion = Kind{Name: "DefenseEvasion:IAMUser/AnomalousBehavior", ASFF: "TTPs/Defense Evasion/DefenseEvasion:IAMUser-AnomalousBehavior",
		Severity: 5, Title: "An API used to evade defensive measures was invoked in an anomalous way.", Page: iamPage + "defenseevasion-iam-anomalousbehavior"}
	Discovery = Kind{Name: "Discovery:IAMUser/AnomalousBehavior", ASFF: "TTPs/Discovery/Discovery:IAMUser-AnomalousBehavior",
		Severity: 2, Title: "An API commonly used to discover resources was invoked in an anomalous way.", Page: iamPage + "discovery-iam-anomalousbehavior"}
	InitialAccess = Kind{Name: "InitialAccess:IAMUser/AnomalousBehavior", ASFF: "TTPs/Initial Access/InitialAccess:IAMUser-AnomalousBehavior",
		Severity: 5, Title: "An API commonly used to gain unauthorized access to an AWS environment was invoked in an anomalous way.", Page: iamPage + "initialaccess-iam-anomalousbehavior"}
	// RevokedSessionUsage is Warden's: GuardDuty has no finding type for
	// a revoked session's credentials in use.
	RevokedSessionUsage = Kind{Name: "UnauthorizedAccess:IAMUser/RevokedSessionUsage", ASFF: "TTPs/Initial Access/UnauthorizedAccess:IAMUser-RevokedSessionUsage",
		Severity: 8, Title: "Temporary credentials were used after their sessions were revoked.",
		Page: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html"}
)

// Kinds lists every finding type the detections produce.
func Kinds() []Kind {
	return []Kind{RootCredentialUsage, CloudTrailLoggingDisabled, DefenseEvasion, Discovery, InitialAccess, RevokedSessionUsage}
}

// Label is Security Hub's label of a GuardDuty severity.
func Label(sev float64) string {
	switch {
	case sev >= 7:
		return "HIGH"
	case sev >= 4:
		return "MEDIUM"
	}
	return "LOW"
}
