package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/securecart/warden/internal/compliance"
)

// ASFF is a detection as GuardDuty sends it to Security Hub
// (https://docs.aws.amazon.com/guardduty/latest/ug/securityhub-integration.html):
// the ASFF fields, the observation times and GuardDuty's product fields.
type ASFF struct {
	compliance.ASFF
	FirstObservedAt string            `json:"FirstObservedAt"`
	LastObservedAt  string            `json:"LastObservedAt"`
	ProductFields   map[string]string `json:"ProductFields"`
}

// DetectorID is the ID of an account's GuardDuty detector as Warden names
// it: 32 hex digits derived from the account.
func DetectorID(account string) string {
	sum := sha256.Sum256([]byte("warden-guardduty-detector\x00" + account))
	return hex.EncodeToString(sum[:16])
}

// ProductArn is GuardDuty's product in Security Hub, in a Region.
func ProductArn(region string) string {
	return "arn:aws:securityhub:" + region + "::product/aws/guardduty"
}

// ToASFF renders the finding as GuardDuty's finding in Security Hub. region
// is where Security Hub records it (the finding's own Region when empty).
func (f *Finding) ToASFF(region string) ASFF {
	if region == "" {
		region = f.Region
	}
	if region == "" {
		region = "us-east-1"
	}
	det := DetectorID(f.Account)
	gen := "arn:aws:guardduty:" + region + ":" + f.Account + ":detector/" + det
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	a := compliance.ASFF{SchemaVersion: "2018-10-08", ID: gen + "/finding/" + f.ID(), ProductArn: ProductArn(region),
		ProductName: "GuardDuty", CompanyName: "Amazon", Region: region, GeneratorID: gen, AwsAccountID: f.Account,
		Types: []string{f.Kind.ASFF}, CreatedAt: stamp(f.First), UpdatedAt: stamp(f.Last),
		Severity: compliance.ASFFSeverity{Label: Label(f.Kind.Severity), Normalized: int(math.Round(f.Kind.Severity * 10)), Product: f.Kind.Severity},
		Title:    f.Kind.Title, Description: f.Description, RecordState: "ACTIVE"}
	a.Workflow.Status = "NEW"
	if f.Archived {
		a.RecordState, a.UpdatedAt = "ARCHIVED", stamp(f.ArchivedAt)
	}
	a.Remediation.Recommendation.Text = "If this activity is unexpected, the credentials may be compromised: see Remediating potentially compromised AWS credentials, and the finding type's page."
	a.Remediation.Recommendation.URL = f.Kind.Page
	res := compliance.ASFFResource{Type: "AwsIamAccessKey", ID: "AWS::IAM::AccessKey:" + strings.ToUpper(f.AccessKeyID), Partition: "aws", Region: region}
	if f.AccessKeyID == "" {
		res = compliance.ASFFResource{Type: "Other", ID: f.Principal, Partition: "aws", Region: region}
	}
	a.Resources = []compliance.ASFFResource{res}
	const p = "aws/guardduty/service/"
	fields := map[string]string{
		p + "serviceName": "guardduty", p + "detectorId": det, p + "archived": strconv.FormatBool(f.Archived),
		p + "count": strconv.Itoa(f.Count), p + "eventFirstSeen": stamp(f.First), p + "eventLastSeen": stamp(f.Last),
		p + "resourceRole": "TARGET", p + "action/actionType": "AWS_API_CALL",
		p + "action/awsApiCallAction/api":                         f.API[strings.IndexByte(f.API, ' ')+1:],
		p + "action/awsApiCallAction/serviceName":                 f.API[:max(strings.IndexByte(f.API, ' '), 0)],
		p + "action/awsApiCallAction/callerType":                  "Remote IP",
		p + "action/awsApiCallAction/remoteIpDetails/ipAddressV4": f.SourceIP,
		"aws/guardduty/resource/accessKeyDetails/principalId":     f.Principal,
		"aws/guardduty/resource/accessKeyDetails/userType":        f.PrincipalType,
		"aws/securityhub/ProductName":                             "GuardDuty",
		"aws/securityhub/CompanyName":                             "Amazon",
		"warden/findingType":                                      f.Kind.Name,
		"warden/eventIds":                                         strings.Join(f.EventIDs, ","),
	}
	return ASFF{ASFF: a, FirstObservedAt: stamp(f.First), LastObservedAt: stamp(f.Last), ProductFields: fields}
}
