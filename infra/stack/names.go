package stack

import (
	"strconv"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Construct ids are derived from wiring names in one place, so that the stack and its
// tests find the same constructs: "followup-dispatcher" → "FollowupDispatcherFunction".

func pascal(name string) string { return wiring.Pascal(name) }

func tableID(name string) string    { return pascal(name) + "Table" }
func queueID(name string) string    { return pascal(name) + "Queue" }
func dlqID(dlqName string) string   { return pascal(dlqName) }
func functionID(name string) string { return pascal(name) + "Function" }
func roleID(name string) string     { return pascal(name) + "Role" }
func logGroupID(name string) string { return pascal(name) + "Logs" }
func secretID(name string) string   { return pascal(name) + "Secret" }

// macKeyID names a MAC key's KMS key of one version: "UnsubscribeMacKey1".
func macKeyID(name string, version int) string {
	return pascal(name) + "MacKey" + strconv.Itoa(version)
}
