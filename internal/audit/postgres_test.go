package audit_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
	"github.com/securecart/warden/internal/creds"
	"github.com/securecart/warden/internal/store/postgres"
	"github.com/securecart/warden/internal/store/postgres/pgtest"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// replaceData is SQLite's replacing of text in a blob, which PostgreSQL
// spells with overlay (a block is binary: it is no text).
var replaceData = regexp.MustCompile(`CAST\(replace\(CAST\(data AS TEXT\), ('[^']*'), ('[^']*')\) AS BLOB\)`)

// pgSQL is a tampering query in PostgreSQL's spelling.
func pgSQL(q string) string {
	q = replaceData.ReplaceAllString(q, "overlay(data placing convert_to($2, 'UTF8') from position(convert_to($1, 'UTF8') in data))")
	r := strings.NewReplacer(
		"X''", "'\\x'::bytea",
		"zeroblob(32)", "decode(repeat('00', 32), 'hex')",
		"zeroblob(64)", "decode(repeat('00', 64), 'hex')",
		"CAST(replace(CAST(data AS TEXT),", "convert_to(replace(convert_from(data, 'UTF8'),",
		") AS BLOB)", "), 'UTF8')",
	)
	return r.Replace(q)
}

// The same tampering, done to a trail in PostgreSQL, is found and named
// the same way: the store reads every column a reader uses, and the hash
// covers each.
func TestVerifyFindsTamperingPostgres(t *testing.T) {
	base := pgtest.FreshDatabase(t)
	sealer, _ := creds.NewSealer(creds.NewKey())
	ctx := context.Background()
	st, err := postgres.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	var anchor audit.Anchor
	tr, err := audit.Open(ctx, st, sealer, audit.Options{Owner: "218364950271", DigestEvery: 50, Clock: func() time.Time { return t0 },
		Anchor: func(a audit.Anchor) { anchor = a }})
	if err != nil {
		t.Fatal(err)
	}
	var batch []*audit.Record
	for i := 1; i <= 120; i++ {
		batch = append(batch, audit.Records(event(i, t0.Add(time.Duration(i)*time.Second)))...)
		if len(batch) == 10 {
			if err := tr.Append(ctx, batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Each case tampers with the trail and then puts back the untouched
	// copy kept beside it.
	tables := []string{"audit_blocks", "audit_digests", "audit_head"}
	for _, tb := range tables {
		if _, err := db.Exec("CREATE TABLE untouched_" + tb + " AS SELECT * FROM " + tb); err != nil {
			t.Fatal(err)
		}
	}
	restore := func() {
		for _, tb := range tables {
			if _, err := db.Exec("DELETE FROM " + tb + "; INSERT INTO " + tb + " SELECT * FROM untouched_" + tb); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, tt := range tamperCases {
		if tt.queries == nil {
			continue // done in Go on SQLite: the same for every store
		}
		t.Run(tt.name, func(t *testing.T) {
			defer restore()
			for _, q := range tt.queries {
				if _, err := db.Exec(pgSQL(q)); err != nil {
					t.Fatalf("%s: %v", pgSQL(q), err)
				}
			}
			keys, err := audit.PublicKeys(ctx, st, sealer)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := audit.Verify(ctx, st, keys, audit.VerifyOptions{Now: t0.Add(48 * time.Hour), Unsealed: time.Hour, Anchor: &anchor})
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, rep, tt.kind, tt.detail)
		})
	}
}
