package stack

import (
	"strconv"
	"strings"
)

// Construct ids are derived from wiring names in one place, so that the stack and its
// tests find the same constructs: "followup-dispatcher" → "FollowupDispatcherFunction".

func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

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
