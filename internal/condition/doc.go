// Package condition implements the Condition element of IAM policies: the
// condition operators, the ForAllValues and ForAnyValue set qualifiers, the
// IfExists suffix, policy variables, and the request context they read.
//
// The rules, from the IAM User Guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
//
//   - Condition key names are case-insensitive; values are compared as each
//     operator says (String* case-sensitively unless IgnoreCase).
//   - Several values for one key are ORed; several keys and several operators
//     are ANDed.
//   - A key absent from the request makes a positive operator false and a
//     negated operator (StringNotEquals, NumericNotEquals, DateNotEquals,
//     NotIpAddress, ArnNotEquals, ArnNotLike, StringNotLike,
//     StringNotEqualsIgnoreCase) true. With the IfExists suffix an absent key
//     makes the condition true; Null tests presence itself.
//   - A negated operator is the negation of its positive form: the condition
//     holds when no value in the request matches any value in the policy.
//   - ForAnyValue: true when at least one request value matches (for a negated
//     operator: at least one request value matches none of the policy values);
//     false when the key is absent or has no values.
//   - ForAllValues: true when every request value matches (for a negated
//     operator: every request value matches none of the policy values); true
//     when the key is absent or has no values.
//   - Policy variables ${key} and ${key, 'default'} are replaced by the request
//     value of a single-valued key (only in policies of Version 2012-10-17); the
//     escapes ${*}, ${?} and ${$} stand for a literal *, ? and $. A variable
//     that has no value and no default is the null value, which matches no
//     request value: when no value is left, a positive operator does not match
//     and a negated one does (the page's "non-existent context keys"), with or
//     without IfExists and the set qualifiers, while the tested key is present.
package condition
