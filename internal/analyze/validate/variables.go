package validate

import (
	"strings"
)

// variables checks policy variables
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// ${key} or ${key, 'default'}, and the escapes ${*}, ${?} and ${$}; only in
// the Resource element and condition values. A document without Version
// 2012-10-17 takes ${...} literally (reported once, at the document).
func (v *validator) variables(s *statement) {
	if !v.vars {
		return
	}
	for _, m := range s.n.members {
		switch m.name {
		case "Resource", "NotResource", "Condition":
			walkStrings(m.val, v.variableSyntax)
		case "Sid", "Effect":
		default:
			walkStrings(m.val, func(n *node) {
				if strings.Contains(n.str, "${") {
					v.add("VARIABLE_UNSUPPORTED_IN_ELEMENT", v.at(n), "Policy variables are supported in the Resource and Condition elements. Remove the policy variable %s from this %s element.", firstVariable(n.str), m.name)
				}
			})
		}
	}
}

func firstVariable(s string) string {
	i := strings.Index(s, "${")
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+1]
}

// variableSyntax reports the first malformed variable of a string.
func (v *validator) variableSyntax(n *node) {
	rest := n.str
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			v.add("MISSING_BRACE_IN_VARIABLE", v.at(n), "The policy variable %s is missing a closing curly brace. Add } after the variable text.", rest[i:])
			return
		}
		body := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch body {
		case "*", "?", "$":
			continue
		}
		key, def, hasDef := strings.Cut(body, ",")
		switch {
		case strings.TrimSpace(key) == "":
			v.add("EMPTY_VARIABLE", v.at(n), "Empty policy variable ${%s}. Remove the ${ } variable structure or provide a variable within the structure, such as ${aws:username}.", body)
			return
		case strings.ContainsAny(key, " \t"):
			v.add("UNSUPPORTED_SPACE_IN_VARIABLE", v.at(n), "A space is not supported within the policy variable text ${%s}. Remove the space.", body)
			return
		case hasDef:
			d := strings.TrimSpace(def)
			if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
				v.add("MISSING_QUOTE_IN_VARIABLE", v.at(n), "The policy variable default value %s must begin and end with a single quote, as in ${%s, 'default'}. Add the missing quote.", d, key)
				return
			}
		}
	}
}
