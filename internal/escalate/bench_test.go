package escalate

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/securecart/warden/internal/org"
)

// BenchmarkEscalationGenerated is the full escalation analysis of a
// generated organization of 1,000 accounts with 20 roles each
// (org.Generate(1000, 20, 1): 20,000 roles, 10,000 of them assumable by
// another role of their account): "analyze" with the org loaded once,
// "load+analyze" as `warden analyze escalation --org FILE` does it, from
// the file.
func BenchmarkEscalationGenerated(b *testing.B) {
	f := filepath.Join(b.TempDir(), "org.yaml")
	if err := os.WriteFile(f, org.Generate(1000, 20, 1), 0o600); err != nil {
		b.Fatal(err)
	}
	o, err := org.Load(f)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("analyze", func(b *testing.B) {
		cpu := cpuTime()
		for range b.N {
			r := Analyze(o, Options{Now: now})
			b.ReportMetric(float64(len(r.Nodes)), "principals")
			b.ReportMetric(float64(len(r.Edges)), "edges")
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("load+analyze", func(b *testing.B) {
		cpu := cpuTime()
		for range b.N {
			o, err := org.Load(f)
			if err != nil {
				b.Fatal(err)
			}
			Analyze(o, Options{Now: now})
		}
		b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
}

// cpuTime is the process's user and system CPU time so far: on a machine
// other work shares, it says what the analysis costs better than the wall
// time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEscalationTwins is the analysis of the twins org (87
// principals, every edge kind): the cost of the engine's decisions and of
// the admin checks when many principals can escalate.
func BenchmarkEscalationTwins(b *testing.B) {
	o := twins(b)
	for range b.N {
		Analyze(o, Options{Now: now})
	}
}
