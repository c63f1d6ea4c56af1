// Package keyring reaches the deployment's signing keys where they live, outside the
// tables: in AWS a KMS HMAC key (the key never leaves KMS) and a Secrets Manager
// secret; locally and in tests, key files. Which one a function gets is configuration:
// the reference its environment variable holds (a wiring EnvVar with Key), "arn:..."
// in AWS, "file:<path>" on a laptop. The interfaces these satisfy are declared by the
// packages that use them (customer, followup, cursor).
//
// This package holds the keys and the key files; the AWS services sit in their own
// packages, keyring/kms (MAC keys) and keyring/secrets (secrets), so that a function
// links only the services its keys live in.
package keyring

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// filePrefix marks a local key file reference.
const filePrefix = "file:"

// LocalRefs resolves wiring key names to key files under dir, as the local runner and
// the tests set the variables the stack sets to ARNs: a MAC key to
// "<version>=file:<dir>/<name>-<version>.key" per kept version, current first; a secret
// key to "file:<dir>/<name>.key". The files are made at random on first use.
func LocalRefs(dir string) func(name string) string {
	return func(name string) string {
		k, ok := wiring.SigningKeyByName(name)
		if !ok {
			return ""
		}
		if k.Kind == wiring.SecretKey {
			return filePrefix + filepath.Join(dir, name+".key")
		}
		refs := make([]string, len(k.Versions))
		for i, v := range k.Versions {
			refs[i] = strconv.Itoa(v) + "=" + filePrefix + filepath.Join(dir, fmt.Sprintf("%s-%d.key", name, v))
		}
		return strings.Join(refs, ",")
	}
}

// Classify turns a key service's error into a kind by its code: throttling, the
// service's own failures, the network and the outage codes given are an outage (503,
// retried); anything else (a missing or disabled key, a denied grant) is our
// configuration's fault (500, alarmed). what names the service and call.
func Classify(err error, what string, outage ...string) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return problem.Unavailablef(err, "%s is unavailable; retry shortly", what)
	}
	code := ae.ErrorCode()
	if code == "ThrottlingException" || code == "RequestLimitExceeded" || strings.HasSuffix(code, "InternalException") ||
		strings.HasSuffix(code, "InternalServiceError") || strings.HasSuffix(code, "TimeoutException") || slices.Contains(outage, code) {
		return problem.Unavailablef(err, "%s is unavailable; retry shortly", what)
	}
	return &problem.Error{Kind: problem.Internal, Detail: what + " failed", Err: err}
}
