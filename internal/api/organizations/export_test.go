package organizations

// UnattachedPolicyError is unattachedPolicyError, for the client tests.
var UnattachedPolicyError = unattachedPolicyError
