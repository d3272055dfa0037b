package org

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// PermissionSetARN is the ARN of a permission set of an Identity Center
// instance, arn:aws:sso:::permissionSet/ssoins-.../ps-<16 hex>, derived
// from the instance and the permission set's name, so that it is the same
// in every run and every replica.
func PermissionSetARN(instanceARN, name string) string {
	ins := instanceARN[strings.LastIndexByte(instanceARN, '/')+1:]
	h := sha256.New()
	for _, p := range []string{instanceARN, "permissionSet", name} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "arn:aws:sso:::permissionSet/" + ins + "/ps-" + hex.EncodeToString(h.Sum(nil))[:16]
}
