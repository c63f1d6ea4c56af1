package stack

import (
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// tables are the props' tables, the wiring's by default.
func (p StackProps) tables() []wiring.Table {
	if p.Tables == nil {
		return wiring.Tables
	}
	return p.Tables
}

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
	for name, table := range p.TableNames {
		known := false
		for _, t := range p.tables() {
			known = known || t.Name == name
		}
		if !known || table == "" || strings.ContainsAny(table, " /:") {
			add("tableNames %s=%q: want a wiring table name and the name of an existing DynamoDB table", name, table)
		}
	}
	if _, _, err := indexplan.Plan(p.tables(), p.DeployedIndexes); err != nil {
		add("deployedIndexes: %v", err)
	}
	if p.SMSSpendLimitUSD < 0 {
		add("smsSpendLimitUsd %g: want a positive amount", p.SMSSpendLimitUSD)
	}
	return errs
}
