package cli

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/securecart/warden/internal/analyze/validate"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html):
// one run of the tool "warden validate", one rule per issue code, one
// result per finding with its physical location (1-based lines and
// columns counted in Unicode code points) and its JSON path as the logical
// location.

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	ShortDescription     sarifText         `json:"shortDescription"`
	HelpURI              string            `json:"helpUri"`
	DefaultConfiguration sarifLevel        `json:"defaultConfiguration"`
	Properties           map[string]string `json:"properties"`
}

type sarifLevel struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string            `json:"ruleId"`
	Level      string            `json:"level"`
	Message    sarifText         `json:"message"`
	Locations  []sarifLocation   `json:"locations"`
	Properties map[string]string `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
	CharOffset  int `json:"charOffset"`
	CharLength  int `json:"charLength"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

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
					ShortDescription:     sarifText{Text: f.IssueCode},
					HelpURI:              f.LearnMoreLink,
					DefaultConfiguration: sarifLevel{Level: sarifLevelOf(f.FindingType)},
					Properties:           map[string]string{"findingType": f.FindingType},
				}
			}
			res := sarifResult{
				RuleID:     f.IssueCode,
				Level:      sarifLevelOf(f.FindingType),
				Message:    sarifText{Text: f.FindingDetails},
				Properties: map[string]string{"findingType": f.FindingType, "learnMoreLink": f.LearnMoreLink},
			}
			if f.FindingType == validate.SecurityWarning {
				res.Properties["security-severity"] = "7.0"
			}
			for _, l := range f.Locations {
				s := l.Span
				loc := sarifLocation{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: r.file},
					Region: sarifRegion{
						StartLine: s.Start.Line, StartColumn: s.Start.Column + 1,
						EndLine: s.End.Line, EndColumn: s.End.Column + 1,
						CharOffset: s.Start.Offset, CharLength: s.End.Offset - s.Start.Offset,
					},
				}}
				if p := l.String(); p != "" {
					loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: p}}
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
