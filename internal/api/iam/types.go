package iam

// The IAM data types of the API reference, with xml tags for the query
// replies and json tags for the audit trail's responseElements (CloudTrail
// names fields in lower camel case).

// Tag is a key-value pair on a role, user, policy or MFA device.
type Tag struct {
	Key   string `xml:"Key" json:"key"`
	Value string `xml:"Value" json:"value"`
}

// PermissionsBoundary is AttachedPermissionsBoundary.
type PermissionsBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType" json:"permissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn" json:"permissionsBoundaryArn"`
}

// boundaryOf returns the boundary structure of an ARN, nil for none.
func boundaryOf(arn string) *PermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &PermissionsBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

// Role is the Role data type.
type Role struct {
	Path                     string               `xml:"Path" json:"path"`
	RoleName                 string               `xml:"RoleName" json:"roleName"`
	RoleID                   string               `xml:"RoleId" json:"roleId"`
	Arn                      string               `xml:"Arn" json:"arn"`
	CreateDate               string               `xml:"CreateDate" json:"createDate"`
	AssumeRolePolicyDocument string               `xml:"AssumeRolePolicyDocument,omitempty" json:"assumeRolePolicyDocument,omitempty"`
	Description              string               `xml:"Description,omitempty" json:"description,omitempty"`
	MaxSessionDuration       int                  `xml:"MaxSessionDuration,omitempty" json:"maxSessionDuration,omitempty"`
	PermissionsBoundary      *PermissionsBoundary `xml:"PermissionsBoundary,omitempty" json:"permissionsBoundary,omitempty"`
	Tags                     []Tag                `xml:"Tags>member,omitempty" json:"tags,omitempty"`
}

// User is the User data type.
type User struct {
	Path                string               `xml:"Path,omitempty" json:"path,omitempty"`
	UserName            string               `xml:"UserName,omitempty" json:"userName,omitempty"`
	UserID              string               `xml:"UserId" json:"userId"`
	Arn                 string               `xml:"Arn" json:"arn"`
	CreateDate          string               `xml:"CreateDate" json:"createDate"`
	PermissionsBoundary *PermissionsBoundary `xml:"PermissionsBoundary,omitempty" json:"permissionsBoundary,omitempty"`
	Tags                []Tag                `xml:"Tags>member,omitempty" json:"tags,omitempty"`
}

// AttachedPolicy is a managed policy attached to a role, user or group.
type AttachedPolicy struct {
	PolicyName string `xml:"PolicyName" json:"policyName"`
	PolicyArn  string `xml:"PolicyArn" json:"policyArn"`
}

// Policy is the Policy data type (a managed policy).
type Policy struct {
	PolicyName                    string `xml:"PolicyName" json:"policyName"`
	PolicyID                      string `xml:"PolicyId" json:"policyId"`
	Arn                           string `xml:"Arn" json:"arn"`
	Path                          string `xml:"Path" json:"path"`
	DefaultVersionID              string `xml:"DefaultVersionId" json:"defaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount" json:"attachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount" json:"permissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable" json:"isAttachable"`
	Description                   string `xml:"Description,omitempty" json:"description,omitempty"`
	CreateDate                    string `xml:"CreateDate" json:"createDate"`
	UpdateDate                    string `xml:"UpdateDate" json:"updateDate"`
	Tags                          []Tag  `xml:"Tags>member,omitempty" json:"tags,omitempty"`
}

// PolicyVersion is the PolicyVersion data type. Document is URL-encoded and
// only in GetPolicyVersion's reply.
type PolicyVersion struct {
	Document         string `xml:"Document,omitempty" json:"-"`
	VersionID        string `xml:"VersionId" json:"versionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion" json:"isDefaultVersion"`
	CreateDate       string `xml:"CreateDate" json:"createDate"`
}

// AccessKey is the AccessKey data type: the secret appears only in
// CreateAccessKey's reply, never in the trail.
type AccessKey struct {
	UserName        string `xml:"UserName,omitempty" json:"userName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId" json:"accessKeyId"`
	Status          string `xml:"Status" json:"status"`
	SecretAccessKey string `xml:"SecretAccessKey" json:"-"`
	CreateDate      string `xml:"CreateDate" json:"createDate"`
}

// AccessKeyMetadata is an access key without its secret.
type AccessKeyMetadata struct {
	UserName    string `xml:"UserName"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

// MFADevice is an MFA device assigned to a user.
type MFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

// VirtualMFADevice is the VirtualMFADevice data type. Base32StringSeed is
// base64 over the base32 seed's text, as the query protocol encodes blobs.
type VirtualMFADevice struct {
	SerialNumber     string `xml:"SerialNumber" json:"serialNumber"`
	Base32StringSeed string `xml:"Base32StringSeed,omitempty" json:"-"`
	User             *User  `xml:"User,omitempty" json:"-"`
	EnableDate       string `xml:"EnableDate,omitempty" json:"-"`
	Tags             []Tag  `xml:"Tags>member,omitempty" json:"tags,omitempty"`
}
