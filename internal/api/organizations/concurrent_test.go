package organizations

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentChanges: concurrent writers each land once (Mutate retries
// them on the newer document), and checks are made against the document
// that is stored.
func TestConcurrentChanges(t *testing.T) {
	e := newEnv(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[i] = e.call(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": rootID, "Name": fmt.Sprintf("Team%d", i)}, nil)
		}()
		go func() {
			defer wg.Done()
			_, errs[n+i] = e.call(mgmtRoot, "CreateOrganizationalUnit", params{"ParentId": workloadsOU, "Name": "Shared"}, nil)
		}()
	}
	wg.Wait()
	dups := 0
	for i, err := range errs {
		switch {
		case err == nil:
		case i >= n && code(err) == "DuplicateOrganizationalUnitException":
			dups++
		default:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	if dups != n-1 {
		t.Errorf("%d duplicates of Shared, want %d (one creation)", dups, n-1)
	}
	var list ousOut
	e.ok("ListOrganizationalUnitsForParent", params{"ParentId": rootID, "MaxResults": 20}, &list)
	if len(list.OrganizationalUnits) != 3+n {
		t.Errorf("%d OUs under the root, want %d", len(list.OrganizationalUnits), 3+n)
	}
}

func TestEpoch(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1763812800, 0), "1763812800"},
		{time.Unix(1763812800, 250*int64(time.Millisecond)), "1763812800.25"},
		{time.Unix(1763812800, 999999999), "1763812800.999"},
	} {
		got, err := Epoch(tc.t).MarshalJSON()
		if err != nil || string(got) != tc.want {
			t.Errorf("%v: got %s (%v), want %s", tc.t, got, err, tc.want)
		}
		var back Epoch
		if err := back.UnmarshalJSON(got); err != nil || !time.Time(back).Equal(tc.t.Truncate(time.Millisecond)) {
			t.Errorf("%s read back as %v (%v)", got, time.Time(back), err)
		}
	}
}
