package stack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

func TestNagAwsSolutions(t *testing.T) {
	tests := []struct {
		name  string
		props StackProps
	}{
		{"dev", devProps()},
		{"prod", prodProps()},
		{"fixture", fixtureProps()},
		{"external-issuer", externalIssuerProps()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a stack synthesized with the AwsSolutions checks on its app
			s := synthCached(t, tt.name, tt.props)

			// THEN no finding is left unsuppressed
			if findings := nagErrors(s.stack); len(findings) > 0 {
				t.Errorf("%d cdk-nag errors:\n%s", len(findings), strings.Join(findings, "\n"))
			}
		})
	}
}

// TestNagCatchesFindings proves the harness applies the checks: an unencrypted,
// plain-HTTP queue added to the stack is reported.
func TestNagCatchesFindings(t *testing.T) {
	// GIVEN a stack with a careless queue added
	s := synth(t, devProps(), func(stack awscdk.Stack) {
		awssqs.NewQueue(stack, jsii.String("Careless"), &awssqs.QueueProps{Encryption: awssqs.QueueEncryption_UNENCRYPTED})
	})

	// THEN cdk-nag reports it
	findings := strings.Join(nagErrors(s.stack), "\n")
	for _, rule := range []string{"AwsSolutions-SQS3", "AwsSolutions-SQS4"} {
		if !strings.Contains(findings, rule) {
			t.Errorf("no %s finding for the careless queue; findings:\n%s", rule, findings)
		}
	}
}

func nagErrors(stack awscdk.Stack) []string {
	var out []string
	for _, m := range *assertions.Annotations_FromStack(stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(".*"))) {
		out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
	}
	return out
}
