// Package awsdata provides AWS reference data embedded in the binary: the AWS
// managed policies, the Service Authorization Reference (service prefixes,
// actions, resource types and condition keys) and the global condition keys.
//
// The data is third-party and generated: the files under data/ are written by
// the committed generator in gen/ from the staged data described in
// shared/data/README.md, and data/NOTICE names the sources, pinned commits and
// licenses. Do not edit them by hand; regenerate them with
//
//	go generate ./internal/awsdata
//
// A test in gen/ fails when the embedded files are not current.
//
// Rules:
//   - Each kind of data (policies, services and actions, condition keys) is
//     decoded lazily, once, on first use, and never changes afterwards; a
//     service's actions, resource types and condition keys are decoded when
//     that service is first used, so that a process looking up a few actions
//     decodes a few services. The files are embedded uncompressed for that.
//   - Lookups ignore case: service prefixes, action names, condition keys,
//     policy names and policy ARNs are matched by their lower-cased form.
//     Returned values keep AWS's spelling.
//   - Access levels are split: AWS publishes some actions with two levels,
//     such as "Tagging, Write", which appear here as ["Tagging", "Write"].
//   - Action patterns use IAM's wildcards: * matches any run of characters
//     and ? matches exactly one, both case-insensitively, against the whole
//     "service:action" string.
//   - Templated condition keys (aws:PrincipalTag/${TagKey},
//     s3:ExistingObjectTag/<key>, secretsmanager:ResourceTag/tag-key, ...)
//     match any non-empty text in place of the placeholder.
//   - Values returned by pointer or holding slices share the package's tables
//     and must be treated as read-only. Slices of results are fresh copies.
//   - A policy whose source gives no ARN (some deprecated ones) is kept by name
//     only; its path, and so its ARN, is not known.
//
// The functions panic only if the embedded data is corrupt, which the package
// tests rule out.
package awsdata

//go:generate go run ./gen -shared ../../../shared/data -out data
