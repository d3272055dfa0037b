package configservice

import (
	"encoding/json"
	"strings"

	"github.com/securecart/warden/internal/compliance"
	"github.com/securecart/warden/internal/state"
)

// managedDef checks an AWS managed rule as PutConfigRule puts it:
// its identifier, InputParameters, scope and frequency.
func managedDef(r *ConfigRule) (state.ConfigRule, error) {
	m, ok := compliance.Managed(r.Source.SourceIdentifier)
	if !ok {
		var known []string
		for _, x := range compliance.ManagedRules() {
			known = append(known, x.Identifier)
		}
		return state.ConfigRule{}, invalid("Source.SourceIdentifier: %q is not an AWS managed rule Warden evaluates (%v)", r.Source.SourceIdentifier, known)
	}
	params := map[string]string{}
	if r.InputParameters != "" {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.InputParameters), &raw); err != nil {
			return state.ConfigRule{}, invalid("InputParameters: not a JSON object: %v", err)
		}
		for k, v := range raw {
			var str string
			if json.Unmarshal(v, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(v) // a number or a boolean, as its JSON text
			}
		}
	}
	rule, err := m.New(r.ConfigRuleName, params)
	if err != nil {
		return state.ConfigRule{}, invalid("InputParameters: %v", err)
	}
	var types []string
	if r.Scope != nil {
		if r.Scope.TagKey != "" || r.Scope.ComplianceResourceID != "" {
			return state.ConfigRule{}, invalid("Scope: Warden scopes rules by ComplianceResourceTypes only")
		}
		for _, t := range r.Scope.ComplianceResourceTypes {
			if !contains(m.ResourceTypes, t) {
				return state.ConfigRule{}, invalid("Scope.ComplianceResourceTypes: %s does not evaluate %s (it evaluates %v)", m.Name, t, m.ResourceTypes)
			}
		}
		types = r.Scope.ComplianceResourceTypes
	}
	freq := r.MaximumExecutionFrequency
	if freq != "" {
		if _, ok := compliance.Frequencies[freq]; !ok {
			return state.ConfigRule{}, invalid("MaximumExecutionFrequency: %q is not one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours", freq)
		}
		if !m.Periodic {
			return state.ConfigRule{}, invalid("MaximumExecutionFrequency: %s is triggered by configuration changes, not periodic", m.Name)
		}
	}
	def := state.ConfigRule{Name: rule.Name, ID: ruleID(rule.Name), Identifier: rule.Identifier, Description: r.Description,
		Params: rule.Params, ResourceTypes: types, Frequency: freq}
	if def.Description == "" {
		def.Description = m.Description
	}
	return def, nil
}

// changeTriggers are the SourceDetails a custom policy rule may have: AWS
// Config runs such rules on configuration changes only.
var changeTriggers = []string{"ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"}

// customDef checks one of the organization's own rules as PutConfigRule
// puts it (Owner CUSTOM_POLICY): CEL, PolicyRuntime cel-1.x.x, one resource
// type in its scope, compiled and type-checked now, so that a mistake is
// refused with its PolicyText:line:column.
func customDef(r *ConfigRule) (state.ConfigRule, error) {
	d := r.Source.CustomPolicyDetails
	if d == nil {
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails: a %s rule needs PolicyRuntime %s and PolicyText", compliance.OwnerCustomPolicy, compliance.CELRuntime)
	}
	switch {
	case d.PolicyRuntime == compliance.GuardRuntime:
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails.PolicyRuntime: Warden evaluates custom policy rules written in CEL (PolicyRuntime %s), not CloudFormation Guard (%s): rewrite the rule as a CEL expression (docs/compliance.md)", compliance.CELRuntime, compliance.GuardRuntime)
	case d.PolicyRuntime != compliance.CELRuntime:
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails.PolicyRuntime: %q is not %s, the CEL runtime Warden evaluates", d.PolicyRuntime, compliance.CELRuntime)
	case len(d.PolicyText) > 10000:
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails.PolicyText: %d characters, more than 10000", len(d.PolicyText))
	case d.EnableDebugLogDelivery:
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails.EnableDebugLogDelivery: Warden delivers no debug logs to CloudWatch Logs")
	case r.Source.SourceIdentifier != "":
		return state.ConfigRule{}, invalid("Source.SourceIdentifier: a %s rule has none", compliance.OwnerCustomPolicy)
	case r.InputParameters != "":
		return state.ConfigRule{}, invalid("InputParameters: Warden's CEL rules take no parameters")
	case r.MaximumExecutionFrequency != "":
		return state.ConfigRule{}, invalid("MaximumExecutionFrequency: a custom policy rule is triggered by configuration changes only")
	}
	if len(r.Source.SourceDetails) == 0 {
		return state.ConfigRule{}, invalid("Source.SourceDetails: a %s rule is triggered by configuration changes: give EventSource aws.config and MessageType ConfigurationItemChangeNotification", compliance.OwnerCustomPolicy)
	}
	for _, sd := range r.Source.SourceDetails {
		if sd.EventSource != "aws.config" || !contains(changeTriggers, sd.MessageType) || sd.MaximumExecutionFrequency != "" {
			return state.ConfigRule{}, invalid("Source.SourceDetails: a %s rule is triggered by configuration changes only (EventSource aws.config, MessageType %s), not %s %s",
				compliance.OwnerCustomPolicy, strings.Join(changeTriggers, " or "), sd.EventSource, sd.MessageType)
		}
	}
	if r.Scope == nil || len(r.Scope.ComplianceResourceTypes) != 1 || r.Scope.TagKey != "" || r.Scope.ComplianceResourceID != "" {
		return state.ConfigRule{}, invalid("Scope.ComplianceResourceTypes: a CEL rule evaluates exactly one resource type, one of %s", strings.Join(compliance.CustomTypes, ", "))
	}
	typ := r.Scope.ComplianceResourceTypes[0]
	if _, err := compliance.ParsePolicyText(r.ConfigRuleName, r.Description, typ, d.PolicyText); err != nil {
		return state.ConfigRule{}, invalid("Source.CustomPolicyDetails.%v", err)
	}
	return state.ConfigRule{Name: r.ConfigRuleName, ID: ruleID(r.ConfigRuleName), Identifier: compliance.CustomIdentifier, Description: r.Description,
		ResourceTypes: []string{typ}, Owner: compliance.OwnerCustomPolicy, PolicyRuntime: d.PolicyRuntime, PolicyText: d.PolicyText}, nil
}
