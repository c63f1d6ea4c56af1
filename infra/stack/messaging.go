package stack

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"
)

// Settings (CDK context) that messaging reads; the wiring rows name them too.
const (
	settingChannel   = "notifyChannel"
	settingEmailFrom = "emailFrom"
	// settingConfigSet is filled by the stack with the configuration set it makes,
	// unless a deployment names its own.
	settingConfigSet = "sesConfigurationSet"

	channelAWS    = "aws"
	channelOutbox = "outbox"
)

// channel is the deployment's message channel: "aws" or "outbox" (the rows' default).
func (p StackProps) channel() string {
	if c, ok := p.Settings[settingChannel]; ok {
		return c
	}
	return channelOutbox
}

func (p StackProps) sends(ch string) bool {
	for _, f := range p.Functions {
		for _, c := range f.Sends {
			if c == ch {
				return true
			}
		}
	}
	return false
}

// validateMessaging: a prod stack names a channel that delivers, and the aws channel
// has a sender address.
func (p StackProps) validateMessaging() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	ch, named := p.Settings[settingChannel]
	switch {
	case p.Stage == "prod" && (!named || ch != channelAWS):
		add("prod needs a message channel that reaches customers: set -c notifyChannel=aws (email by SES, SMS by SNS); " +
			"outbox (the default) is a local and dev tool that keeps messages in the followups table and sends nothing")
	case named && ch != channelAWS && ch != channelOutbox:
		add("notifyChannel %q: want aws or outbox", ch)
	}
	if ch == channelAWS && p.sends("email") {
		from := p.Settings[settingEmailFrom]
		addr, err := mail.ParseAddress(from)
		if err != nil {
			add("notifyChannel=aws sends email: set -c emailFrom=<verified SES address, e.g. noreply@hotel.example> (got %q)", from)
		} else if id := p.SESIdentity; id != "" && !strings.EqualFold(id, addr.Address) && !strings.EqualFold(id, emailDomain(addr.Address)) {
			add("sesIdentity %q: want the emailFrom address %s or its domain %s", id, addr.Address, emailDomain(addr.Address))
		}
	}
	if p.SendConcurrency != 0 && (p.SendConcurrency < 2 || p.SendConcurrency > 1000) {
		add("sendConcurrency %d: Lambda's SQS maximum concurrency is 2..1000", p.SendConcurrency)
	}
	return errs
}

func emailDomain(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }

// buildMessaging makes what the aws channel sends through: the SES configuration set
// followup-email names on every SendEmail (its reputation metrics, the account's
// suppression list for bounces and complaints), the sending identity when one is
// configured, and the role SNS writes SMS delivery status logs with. The outbox
// channel needs none.
func (b *builder) buildMessaging() {
	if b.props.channel() != channelAWS {
		return
	}
	// Copy before filling in: the caller's map stays theirs.
	settings := map[string]string{}
	for k, v := range b.props.Settings {
		settings[k] = v
	}
	b.props.Settings = settings
	if b.props.sends("email") {
		if settings[settingConfigSet] == "" {
			b.configSet = awsses.NewConfigurationSet(b.stack, jsii.String("EmailConfigurationSet"), &awsses.ConfigurationSetProps{
				ReputationMetrics:  jsii.Bool(true),
				SendingEnabled:     jsii.Bool(true),
				SuppressionReasons: awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
				TlsPolicy:          awsses.ConfigurationSetTlsPolicy_REQUIRE,
			})
			settings[settingConfigSet] = *b.configSet.ConfigurationSetName()
			b.output("EmailConfigurationSetName", b.configSet.ConfigurationSetName(), "SES configuration set followup-email sends through")
			b.buildMailFeedback()
		}
		if id := b.props.SESIdentity; id != "" {
			identity := awsses.Identity_Domain(jsii.String(id))
			if strings.Contains(id, "@") {
				identity = awsses.Identity_Email(jsii.String(id))
			}
			props := &awsses.EmailIdentityProps{Identity: identity}
			if b.configSet != nil {
				props.ConfigurationSet = b.configSet
			}
			awsses.NewEmailIdentity(b.stack, jsii.String("EmailIdentity"), props)
		}
	}
	if b.props.sends("sms") {
		b.smsLogRole = awsiam.NewRole(b.stack, jsii.String("SmsDeliveryStatusRole"), &awsiam.RoleProps{
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("sns.amazonaws.com"), &awsiam.ServicePrincipalOpts{
				Conditions: &map[string]interface{}{"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()}},
			}),
			Description: jsii.String("Lets SNS write SMS delivery status logs (sns/<region>/<account>/DirectPublishToPhoneNumber*)"),
		})
		b.smsLogRole.AddToPrincipalPolicy(allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
			"logs:PutRetentionPolicy"}, awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":logs:"), awscdk.Aws_REGION(), jsii.String(":"),
			awscdk.Aws_ACCOUNT_ID(), jsii.String(":log-group:sns/"), awscdk.Aws_REGION(), jsii.String("/"), awscdk.Aws_ACCOUNT_ID(),
			jsii.String("/DirectPublishToPhoneNumber*"),
		})))
		b.output("SmsDeliveryStatusRoleArn", b.smsLogRole.RoleArn(),
			"Role for `aws sns set-sms-attributes` DeliveryStatusIAMRole (README: deploying, SMS)")
	}
}

// grantMessaging lets a function send email through SES and SMS through SNS.
//
// SES: SendEmail from the configured sender (its address's and its domain's identity)
// through the stack's configuration set; with no sender known at synth time, any
// identity of this account and region.
//
// SNS: a direct SMS publish (PhoneNumber) has no resource ARN: IAM authorizes it only
// with Resource "*" (Service Authorization Reference, Amazon SNS: Publish's resource
// type is topic, absent for a phone number), and SNS offers no condition key for the
// phone number. So the grant is sns:Publish on "*", and an explicit Deny on every
// SNS ARN (topics, platform endpoints) keeps the "*" from reaching any topic.
func (b *builder) grantMessaging(lf *lambdaFunction) {
	for _, ch := range lf.row.Sends {
		switch ch {
		case "email":
			lf.role.AddToPrincipalPolicy(allow([]string{"ses:SendEmail"}, b.sesResources()...))
		case "sms":
			lf.role.AddToPrincipalPolicy(allow([]string{"sns:Publish"}, jsii.String("*")))
			lf.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("NoTopicPublish"),
				Effect:    awsiam.Effect_DENY,
				Actions:   jsii.Strings("sns:Publish"),
				Resources: &[]*string{snsAnyARN()},
			}))
		}
	}
}

// sesResources are the identities and configuration set SendEmail names.
func (b *builder) sesResources() []*string {
	configSet := sesARN("configuration-set/*")
	if b.configSet != nil {
		configSet = sesARN("configuration-set/", b.configSet.ConfigurationSetName())
	} else if name := b.props.Settings[settingConfigSet]; name != "" {
		configSet = sesARN("configuration-set/" + name)
	}
	addr, err := mail.ParseAddress(b.props.Settings[settingEmailFrom])
	if b.props.channel() != channelAWS || err != nil {
		return []*string{sesARN("identity/*"), configSet}
	}
	return []*string{sesARN("identity/" + addr.Address), sesARN("identity/" + emailDomain(addr.Address)), configSet}
}

// sesARN is arn:<partition>:ses:<region>:<account>:<resource...>.
func sesARN(resource string, more ...*string) *string {
	parts := []*string{
		jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":ses:"), awscdk.Aws_REGION(), jsii.String(":"),
		awscdk.Aws_ACCOUNT_ID(), jsii.String(":" + resource),
	}
	parts = append(parts, more...)
	return awscdk.Fn_Join(jsii.String(""), &parts)
}

// snsAnyARN matches every SNS resource ARN of the partition: what a direct SMS is not.
func snsAnyARN() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":sns:*")})
}

// makesMailFeedbackTopic tells whether buildMailFeedback will make the topic of SES's
// bounces and complaints: the aws channel sends email through the stack's own
// configuration set, and the mail-feedback queue exists.
func (p StackProps) makesMailFeedbackTopic() bool {
	if p.channel() != channelAWS || !p.sends("email") || p.Settings[settingConfigSet] != "" {
		return false
	}
	for _, q := range p.Queues {
		if q.Name == mailFeedbackQueue {
			return true
		}
	}
	return false
}

// mailFeedbackQueue is the wiring queue SES bounce and complaint events reach.
const mailFeedbackQueue = "mail-feedback"

// buildMailFeedback publishes the configuration set's BOUNCE and COMPLAINT events to a
// TLS-only SNS topic, encrypted with the data key, that only SES, for this account's
// configuration set, may publish to (and use the key for); the mail-feedback queue
// subscribes with raw delivery off (the function unwraps SNS's envelope), and its
// policy lets only that topic send.
func (b *builder) buildMailFeedback() {
	q, ok := b.queues[mailFeedbackQueue]
	if !ok {
		return
	}
	configSetARN := sesARN("configuration-set/", b.configSet.ConfigurationSetName())
	// The confused-deputy guard, as CDK's event destination writes it into the topic
	// policy (ses.amazonaws.com may publish for this configuration set only).
	conditions := &map[string]interface{}{
		"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID(), "aws:SourceArn": configSetARN},
	}
	key := b.dataKey()
	// SES publishes to an encrypted topic only if the key lets it use the key.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("ses.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: conditions,
	}), nil)
	topic := awssns.NewTopic(b.stack, jsii.String("MailFeedbackTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Rapport " + b.stage.name + " SES bounces and complaints"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// The subscription also adds the queue policy: sns.amazonaws.com may SendMessage
	// when aws:SourceArn is this topic. What SNS cannot deliver (the queue deleted or
	// its policy broken) goes to the queue's own DLQ, which alarms; make redrive moves
	// it back, still in its envelope.
	topic.AddSubscription(awssnssubscriptions.NewSqsSubscription(q.queue, &awssnssubscriptions.SqsSubscriptionProps{
		RawMessageDelivery: jsii.Bool(false),
		DeadLetterQueue:    q.dlq,
	}))
	// The event destination adds the topic policy's Allow for ses.amazonaws.com with
	// aws:SourceAccount and aws:SourceArn (a test holds it).
	b.configSet.AddEventDestination(jsii.String("BouncesAndComplaints"), &awsses.ConfigurationSetEventDestinationOptions{
		Destination: awsses.EventDestination_SnsTopic(topic),
		Events:      &[]awsses.EmailSendingEvent{awsses.EmailSendingEvent_BOUNCE, awsses.EmailSendingEvent_COMPLAINT},
		Enabled:     jsii.Bool(true),
	})
	b.output("MailFeedbackTopicArn", topic.TopicArn(), "SNS topic of SES bounces and complaints (to the mail-feedback queue)")
}
