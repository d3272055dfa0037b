package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/securecart/warden/internal/analyze"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
// the subset code-scanning UIs read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind,omitempty"`
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
	ID                   string         `json:"id"`
	ShortDescription     sarifMessage   `json:"shortDescription"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifConfig   `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
	CharOffset  int `json:"charOffset,omitempty"`
	CharLength  int `json:"charLength,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

var accessRules = []sarifRule{
	{ID: "PUBLIC_ACCESS", ShortDescription: sarifMessage{"A resource policy grants access to anyone"}, HelpURI: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"},
	{ID: "EXTERNAL_ACCESS", ShortDescription: sarifMessage{"A resource policy grants access outside the zone of trust"}, HelpURI: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"},
	{ID: "UNSURE_ACCESS", ShortDescription: sarifMessage{"Access from outside the zone of trust could not be ruled out"}},
}

func writeAccessSARIF(w io.Writer, fs []analyze.Finding) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "warden", InformationURI: "https://github.com/securecart/warden", Rules: accessRules}}, Results: []sarifResult{}}
	for _, f := range fs {
		rule, level := "EXTERNAL_ACCESS", "warning"
		switch {
		case f.Unsure:
			rule, level = "UNSURE_ACCESS", "note"
		case f.IsPublic:
			rule, level = "PUBLIC_ACCESS", "error"
		}
		msg := fmt.Sprintf("%s can %s on %s", principalText(f.Principal), strings.Join(f.Action, ", "), f.Resource)
		if len(f.Condition) > 0 {
			msg += " when " + principalText(f.Condition)
		}
		r := sarifResult{RuleID: rule, Level: level, Message: sarifMessage{msg},
			Properties: map[string]any{"id": f.ID, "resourceType": f.ResourceType, "resourceOwnerAccount": f.ResourceOwnerAccount, "principal": f.Principal, "condition": f.Condition, "isPublic": f.IsPublic}}
		loc := sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: f.Resource, Kind: "resource"}}}
		if f.Statement != nil {
			if phys := physicalOf(f.Statement.Pos); phys != nil {
				loc.PhysicalLocation = phys
			}
		}
		r.Locations = []sarifLocation{loc}
		if f.Example != nil {
			r.Properties["example"] = f.Example
		}
		run.Results = append(run.Results, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// physicalOf reads a position "file:line:col" (or "line:col" with no file).
func physicalOf(pos string) *sarifPhysical {
	parts := strings.Split(pos, ":")
	if len(parts) < 3 {
		return nil
	}
	col, err1 := strconv.Atoi(parts[len(parts)-1])
	line, err2 := strconv.Atoi(parts[len(parts)-2])
	if err1 != nil || err2 != nil {
		return nil
	}
	return &sarifPhysical{ArtifactLocation: sarifArtifact{URI: strings.Join(parts[:len(parts)-2], ":")}, Region: &sarifRegion{StartLine: line, StartColumn: col}}
}
