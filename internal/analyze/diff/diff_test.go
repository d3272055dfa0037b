package diff

import (
	"testing"
)

func TestSecureCartAgainstItself(t *testing.T) {
	a, b := secureCart(t), secureCart(t)
	rep := Diff(a, b, Options{Now: now})
	if len(rep.Changes) != 0 || len(rep.Unknown) != 0 {
		t.Fatalf("changes %+v unknown %+v", rep.Changes, rep.Unknown)
	}
}

func TestSCPNewDenyCloses(t *testing.T) {
	m := secureCartFS(t)
	old := load(t, m)
	edit(t, m, "scps.yaml", `        - Sid: DenyLeaveOrganization`, `        - Sid: DenyDynamoDBDelete
          Effect: Deny
          Action: dynamodb:DeleteTable
          Resource: "*"
        - Sid: DenyLeaveOrganization`)
	new := load(t, m)
	rep := Diff(old, new, Options{Now: now})
	verify(t, old, new, rep)
	if len(rep.Changes) == 0 {
		t.Fatal("no change")
	}
	for _, c := range rep.Changes {
		t.Logf("%s %s %s %s %v %v", c.Change, c.Principal, c.Action, c.Resource, c.Context, c.Causes)
		if c.Change != Closed {
			t.Errorf("opened: %+v", c)
		}
	}
	t.Logf("%d principals, %d decided, unknown %v", rep.Principals, rep.Decided, rep.Unknown)
}
