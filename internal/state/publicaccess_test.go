package state

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/securecart/warden/internal/org"
	"github.com/securecart/warden/internal/store/sqlite"
)

const bpaFiles = `organization: {id: o-a1b2c3d4e5, managementAccount: Management}
policies:
  - name: FullAWSAccess
    type: scp
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
    attach: [Root, Management]
accounts:
  - name: Management
    id: "111111111111"
    email: root@example.com
    publicAccessBlock: {blockPublicPolicy: BLOCK}
resources:
  - arn: arn:aws:s3:::site
    account: Management
    policy: {Version: "2012-10-17", Statement: [{Sid: Web, Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "arn:aws:s3:::site/*"}]}
`

const publicDoc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}`

func filesWith(block string) fstest.MapFS {
	return fstest.MapFS{"org.yaml": {Data: []byte(strings.Replace(bpaFiles, "BLOCK", block, 1))}}
}

// BlockPublicPolicy refuses a public bucket policy when it is written, and
// only then: "Enabling this setting doesn't affect existing bucket
// policies"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options).
// Org files are refused at the bucket's position; a change through the
// state (as the APIs make them) is refused as invalid; a public policy
// stored before the setting stays, and its twin, a new one, is refused.
func TestBlockPublicPolicyRefusesWrites(t *testing.T) {
	ctx := t.Context()
	doc, err := FromFiles(filesWith("true"), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = CheckFilePolicies(filesWith("true"), "org.yaml", nil, doc)
	if err == nil || !strings.HasPrefix(err.Error(), "org.yaml:13:5: arn:aws:s3:::site: the policy grants public access (statement 0 (Web)") {
		t.Fatalf("CheckFilePolicies = %v, want a refusal at org.yaml:13:5", err)
	}
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := New(st, func() time.Time { return time.Unix(1_800_000_000, 0) })
	if _, err := m.Seed(ctx, doc); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Seed with a public policy under BlockPublicPolicy: %v, want ErrInvalid", err)
	}

	// Without the setting the policy is stored; setting it later keeps it.
	doc, err = FromFiles(filesWith("false"), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := m.Seed(ctx, doc); err != nil || !ok {
		t.Fatalf("Seed: %v %v", ok, err)
	}
	if _, err := m.Mutate(ctx, func(d *Doc) error {
		d.Org.Account("Management").PublicAccessBlock = &org.PublicAccessBlock{BlockPublicPolicy: true}
		return nil
	}); err != nil {
		t.Fatalf("setting BlockPublicPolicy over an existing public policy: %v", err)
	}
	if err := CheckFilePolicies(filesWith("true"), "org.yaml", ResourcePolicies(doc.Org), doc); err != nil {
		t.Errorf("the same files again (nothing written): %v", err)
	}
	// A new public policy is refused; a new non-public one is stored.
	_, err = m.Mutate(ctx, func(d *Doc) error {
		d.Org.PutResourcePolicy("arn:aws:s3:::other", "Management", org.PolicyDoc(publicDoc))
		return nil
	})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "arn:aws:s3:::other: the policy grants public access") {
		t.Errorf("a new public policy: %v, want ErrInvalid naming it", err)
	}
	if _, err := m.Mutate(ctx, func(d *Doc) error {
		d.Org.PutResourcePolicy("arn:aws:s3:::other", "Management", org.PolicyDoc(strings.Replace(publicDoc, `"*"`, `{"AWS": "111111111111"}`, 1)))
		return nil
	}); err != nil {
		t.Errorf("a new non-public policy: %v", err)
	}
}
