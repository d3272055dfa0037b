package audit_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/securecart/warden/internal/audit"
)

// anchorSink is a webhook receiver that keeps the anchors POSTed to it and
// when they came.
type anchorSink struct {
	mu      sync.Mutex
	anchors []audit.Anchor
	at      []time.Time
}

func (s *anchorSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var a audit.Anchor
	if err := json.Unmarshal(body, &a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.anchors, s.at = append(s.anchors, a), append(s.at, time.Now())
	s.mu.Unlock()
}

func (s *anchorSink) got() ([]audit.Anchor, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]audit.Anchor(nil), s.anchors...), append([]time.Time(nil), s.at...)
}

func testAnchor(n int64) audit.Anchor {
	return audit.Anchor{Trail: "organization-trail", Number: n, Hash: "ab" + hash62(n), LastSeq: n * 1000, Time: time.Unix(1_800_000_000+n, 0).UTC()}
}

func hash62(n int64) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 62)
	for i := range b {
		b[i] = hexd[(int(n)+i)%16]
	}
	return string(b)
}

// Digests that come faster than MinInterval are published at most once per
// interval, the newest of them each time, and Close sends the last at once:
// the webhook and the file both end with the newest anchor.
func TestPublisherMinInterval(t *testing.T) {
	sink := &anchorSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "anchor.json")
	const every = 200 * time.Millisecond
	p := &audit.Publisher{File: file, Webhook: srv.URL, MinInterval: every}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	// 100 digests over about a second: 5 intervals.
	start := time.Now()
	for n := int64(1); n <= 100; n++ {
		p.Publish(testAnchor(n))
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	anchors, at := sink.got()
	if max := int(elapsed/every) + 2; len(anchors) > max || len(anchors) < 2 {
		t.Fatalf("%d anchors sent in %v with at most one per %v; want 2..%d", len(anchors), elapsed, every, max)
	}
	for i := 1; i < len(anchors); i++ {
		if anchors[i].Number <= anchors[i-1].Number {
			t.Errorf("anchor %d (digest %d) after digest %d: not the newest", i, anchors[i].Number, anchors[i-1].Number)
		}
		// Every send but the last (Close's) waited out the interval.
		if gap := at[i].Sub(at[i-1]); i < len(anchors)-1 && gap < every-10*time.Millisecond {
			t.Errorf("anchors %d and %d sent %v apart, want at least %v", i-1, i, gap, every)
		}
	}
	if last := anchors[len(anchors)-1]; last != testAnchor(100) {
		t.Errorf("last anchor sent %+v, want the newest, digest 100", last)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var a audit.Anchor
	if err := json.Unmarshal(data, &a); err != nil || a != testAnchor(100) {
		t.Errorf("anchor file holds %s (%v), want digest 100", data, err)
	}
}

// With MinInterval 0 every anchor that finds the publisher idle goes out as
// it comes.
func TestPublisherEveryAnchor(t *testing.T) {
	sink := &anchorSink{}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	p := &audit.Publisher{Webhook: srv.URL}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	for n := int64(1); n <= 5; n++ {
		p.Publish(testAnchor(n))
		deadline := time.Now().Add(5 * time.Second)
		for {
			if got, _ := sink.got(); len(got) == int(n) {
				break
			}
			if time.Now().After(deadline) {
				got, _ := sink.got()
				t.Fatalf("after anchor %d the webhook has %d", n, len(got))
			}
			time.Sleep(time.Millisecond)
		}
	}
	p.Close()
	got, _ := sink.got()
	for i, a := range got {
		if a != testAnchor(int64(i+1)) {
			t.Errorf("anchor %d: %+v", i, a)
		}
	}
}
