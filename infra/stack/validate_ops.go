package stack

import (
	"fmt"
	"strings"
)

// validateOps checks the settings that decide who hears about an alarm.
func (p StackProps) validateOps() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Stage == "prod" && p.AlarmEmail == "" && p.AlarmTopicArn == "" {
		add("prod needs someone to receive its alarms: set -c alarmEmail=<ops address> " +
			"or -c alarmTopicArn=<existing SNS topic ARN>")
	}
	if p.AlarmEmail != "" && !strings.Contains(p.AlarmEmail, "@") {
		add("alarmEmail %q: want an email address", p.AlarmEmail)
	}
	if p.AlarmTopicArn != "" && (!strings.HasPrefix(p.AlarmTopicArn, "arn:") || !strings.Contains(p.AlarmTopicArn, ":sns:")) {
		add("alarmTopicArn %q: want an SNS topic ARN, arn:<partition>:sns:<region>:<account>:<name>", p.AlarmTopicArn)
	}
	if p.SMSSpendLimitUSD < 0 {
		add("smsSpendLimitUsd %g: want a positive amount", p.SMSSpendLimitUSD)
	}
	return errs
}
