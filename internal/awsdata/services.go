package awsdata

import (
	"strings"
	"sync"
)

// Service is an AWS service of the Service Authorization Reference.
type Service struct {
	Prefix string // the action prefix, such as "s3"; lower case
	Name   string // the display name, such as "Amazon S3"

	// The rest is decoded from line on first use (load): read them
	// through load.
	once          sync.Once
	line          string                   // the service's line of services.jsonl, until decoded
	actions       []*Action                // sorted by lower-cased name
	byName        map[string]*Action       // lower-cased name -> action
	resourceTypes []*ResourceType          // sorted by lower-cased name
	rtIndex       map[string]*ResourceType // lower-cased name -> resource type
	conditionKeys []string                 // sorted by lower-cased key
}

// Action is one IAM action of a service.
type Action struct {
	Service string // the service prefix, such as "s3"
	Name    string // AWS's spelling, such as "GetObject"
	// AccessLevels holds one or more of List, Read, Write,
	// Permissions management and Tagging.
	AccessLevels []string
	// ResourceTypes are the resource types the action applies to; none means
	// the action supports only "*" as its resource.
	ResourceTypes    []ActionResource
	ConditionKeys    []string // keys supported by the action, AWS's spelling
	DependentActions []string

	key string // lower-cased "service:action"
}

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Name             string // a resource type of the action's service
	Required         bool
	ConditionKeys    []string
	DependentActions []string
}

// ResourceType is a resource type of a service.
type ResourceType struct {
	Name          string
	ARN           string // the ARN template, such as arn:${Partition}:s3:::${BucketName}
	ConditionKeys []string
}

// String returns the action as it is written in a policy, such as "s3:GetObject".
func (a *Action) String() string { return a.Service + ":" + a.Name }

// Actions returns the service's actions, sorted by name ignoring case.
func (s *Service) Actions() []*Action { return append([]*Action(nil), s.load().actions...) }

// Action returns the service's action with the given name, ignoring case.
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.load().byName[strings.ToLower(name)]
	return a, ok
}

// ResourceTypes returns the service's resource types, sorted by name ignoring case.
func (s *Service) ResourceTypes() []*ResourceType {
	return append([]*ResourceType(nil), s.load().resourceTypes...)
}

// ResourceType returns the service's resource type with the given name, ignoring case.
func (s *Service) ResourceType(name string) (*ResourceType, bool) {
	rt, ok := s.load().rtIndex[strings.ToLower(name)]
	return rt, ok
}

// ConditionKeys returns the condition keys the service documents, including
// global ones such as aws:RequestTag/${TagKey}; see LookupConditionKey for types.
func (s *Service) ConditionKeys() []string { return append([]string(nil), s.load().conditionKeys...) }

// LookupService returns the service with the given prefix, ignoring case.
func LookupService(prefix string) (*Service, bool) {
	s, ok := services().byPrefix[strings.ToLower(prefix)]
	return s, ok
}

// Services returns every service prefix, sorted.
func Services() []string {
	t := services()
	out := make([]string, len(t.list))
	for i, s := range t.list {
		out[i] = s.Prefix
	}
	return out
}

// LookupAction returns the action written as "service:Action", such as
// "s3:GetObject", ignoring case. Wildcards are not expanded: see MatchActions.
func LookupAction(action string) (*Action, bool) {
	prefix, name, ok := strings.Cut(strings.ToLower(action), ":")
	if !ok {
		return nil, false
	}
	s, ok := services().byPrefix[prefix]
	if !ok {
		return nil, false
	}
	a, ok := s.load().byName[name]
	return a, ok
}

// TakesNoResource reports whether the Service Authorization Reference lists
// the action ("service:Action", any case) with no resource type: it does not
// support resource-level permissions, so it acts on every resource of its
// service and a policy grants it with "*" (or a pattern naming the whole
// service). Unknown actions report false.
func TakesNoResource(action string) bool {
	a, ok := LookupAction(action)
	return ok && len(a.ResourceTypes) == 0
}
