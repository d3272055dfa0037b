package cli

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/securecart/warden/internal/analyze/validate"
)

// The SARIF of warden validate (the types are analyze_sarif.go's): one run,
// one rule per issue code, one result per finding with each location's
// span (1-based lines and columns counted in Unicode code points) and its
// JSON path as the logical location.

// sarifLevelOf maps a finding type to a SARIF level.
func sarifLevelOf(findingType string) string {
	switch findingType {
	case validate.Error:
		return "error"
	case validate.SecurityWarning, validate.Warning:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, results []fileFindings) error {
	rules := map[string]sarifRule{}
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "warden validate", InformationURI: validate.ReferencePage}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	for _, r := range results {
		for _, f := range r.findings {
			if _, ok := rules[f.IssueCode]; !ok {
				rules[f.IssueCode] = sarifRule{
					ID:                   f.IssueCode,
					ShortDescription:     sarifMessage{Text: f.IssueCode},
					HelpURI:              f.LearnMoreLink,
					DefaultConfiguration: &sarifConfig{Level: sarifLevelOf(f.FindingType)},
					Properties:           map[string]any{"findingType": f.FindingType},
				}
			}
			res := sarifResult{
				RuleID:     f.IssueCode,
				Level:      sarifLevelOf(f.FindingType),
				Message:    sarifMessage{Text: f.FindingDetails},
				Properties: map[string]any{"findingType": f.FindingType, "learnMoreLink": f.LearnMoreLink},
			}
			if f.FindingType == validate.SecurityWarning {
				res.Properties["security-severity"] = "7.0"
			}
			for _, l := range f.Locations {
				s := l.Span
				loc := sarifLocation{PhysicalLocation: &sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: r.file},
					Region: &sarifRegion{
						StartLine: s.Start.Line, StartColumn: s.Start.Column + 1,
						EndLine: s.End.Line, EndColumn: s.End.Column + 1,
						CharOffset: s.Start.Offset, CharLength: s.End.Offset - s.Start.Offset,
					},
				}}
				if p := l.String(); p != "" {
					loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: p, Kind: "member"}}
				}
				res.Locations = append(res.Locations, loc)
			}
			run.Results = append(run.Results, res)
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	run.Tool.Driver.Rules = []sarifRule{}
	for _, id := range ids {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rules[id])
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Version: "2.1.0", Schema: "https://json.schemastore.org/sarif-2.1.0.json", Runs: []sarifRun{run}})
}
