package servertest

import (
	"testing"
	"time"

	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"
)

// PostgresReplicas starts n servers on one fresh PostgreSQL database (the
// test is skipped when WARDEN_TEST_POSTGRES is not set), each with its own
// connection pool, as replicas of one deployment run: they share the master
// key (opt.MasterKey, or a new one), the start of their clocks (opt.Now, or
// the wall clock's time), and every other option. opt.Store is
// ignored. The first replica seeds the store.
func PostgresReplicas(t *testing.T, n int, opt Options) []*Harness {
	t.Helper()
	dsn := pgtest.FreshDatabase(t)
	if opt.MasterKey == nil {
		opt.MasterKey = creds.NewKey()
	}
	// One start for every replica's clock, as replicas whose clocks are
	// synchronized run: each starting from the wall clock when it starts
	// would put the later ones seconds ahead on a loaded machine. A test
	// about skew advances one clock on purpose.
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC().Truncate(time.Second)
	}
	hs := make([]*Harness, n)
	for i := range hs {
		st, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("replica %d: open PostgreSQL: %v", i, err)
		}
		t.Cleanup(func() { st.Close() })
		o := opt
		o.Store = st
		hs[i] = Start(t, o)
		hs[i].DatabaseURL = dsn
	}
	return hs
}
