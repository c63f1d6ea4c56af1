// Command cdk is Rapport's CDK app: one stack per stage, checked by cdk-nag's
// AwsSolutions and Serverless rules on every synth.
//
// Context keys (cdk -c key=value):
//
//	stage                dev (default) or prod; the stack is named Rapport-<stage>
//	assetDir             folder of built functions, one <name>/bootstrap each (default
//	                     ../build, relative to infra/, i.e. the repository's build/)
//	jwtIssuer            with jwtAudience (comma-separated): trust this OIDC issuer instead
//	                     of creating a Cognito user pool
//	alarmEmail           subscribe this address to the alarm topic
//	alarmTopicArn        notify this existing SNS topic instead of a topic of the stack's
//	                     own (prod needs alarmEmail or alarmTopicArn)
//	smsSpendLimitUsd     the account's monthly SMS spend limit (default 1); alarm at 80 %
//	notifyChannel        aws (SES email, SNS SMS) or outbox (default; local and dev only:
//	                     prod refuses it)
//	emailFrom            the sender address (required with notifyChannel=aws)
//	sesIdentity          a domain or address the stack makes an SES identity for
//	sesConfigurationSet  an existing SES configuration set instead of the stack's own
//	smsSenderId          the SMS sender id (1-11 letters and digits, with a letter)
//	smsOriginationNumber the number SMS is sent from (E.164, or a short code)
//	sendConcurrency      the maximum concurrency of followup-email and of followup-sms (2..1000, default 5)
//	apiDomain            with certificateArn (ACM, same region): serve the API at this host
//	                     name; links in messages use it
//	tableNames           comma-separated <wiring table>=<table name> pairs: adopt these
//	                     tables (point-in-time restores) instead of the stack's own
//	deployedIndexes      a file of what the stage's tables hold, written by cmd/deploy
//	                     (make deploy, make diff): each table declares its next index
//	                     change only; without it, every table has all of its indexes
//	backup               true: the daily AWS Backup plan of the tables in a dev stage too
//	                     (prod always has it)
//	backupCopyVaultArn   a backup vault in another region or account that receives a copy
//	                     of every recovery point
//	authDomainPrefix     prefix of the hosted sign-in domain (default rapport-<stage>-<account>)
//	consoleCallbackUrls  comma-separated addresses of the staff console that sign-in may
//	                     return to; dev defaults to the local console, prod requires https ones
//	consoleLogoutUrls    comma-separated sign-out return addresses (default: the callback URLs)
//	machineLocations     comma-separated location ids, one rapport/location:<id> scope each
//	machineClientIds     comma-separated ids of machine clients made with the CLI, which
//	                     the API's JWT authorizer then accepts
//	consoleDir           the staff console's build (default ../console/dist, relative to
//	                     infra/, i.e. what `make console` builds)
//	consoleDomain        with consoleCertificateArn (ACM, us-east-1): serve the console
//	                     (and the API under /v1/) at this host name
//	consoleWebAclArn     a WAF web ACL of scope CLOUDFRONT guarding the console's distribution
//	consoleClientId      with jwtIssuer: the console's client id at that issuer (default
//	                     the first jwtAudience)
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/infra/stack"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rapport cdk:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()

	// Relative context paths (assetDir) are relative to infra/, where the app lives.
	appDir, err := os.Getwd()
	if err != nil {
		return err
	}
	enterCallerDir()
	app := awscdk.NewApp(nil)
	props, err := propsFromContext(app, appDir)
	if err != nil {
		return err
	}
	if err := props.Validate(); err != nil {
		return err
	}
	if err := stack.CheckAssets(props.AssetDir, wiring.Functions); err != nil {
		return err
	}
	if err := stack.CheckConsole(props.ConsoleDir); err != nil {
		return err
	}

	stack.NewStack(app, "Rapport-"+props.Stage, props)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(app).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	return nil
}

// enterCallerDir returns to the directory the CDK CLI ran us from, so the relative
// paths it passes (CDK_OUTDIR, CDK_ERROR_FILE, ...) resolve as it meant them. cdk.json
// runs `go run -C infra ./cdk` from the repository root: the go command changes
// directory but leaves PWD, the shell's directory, alone. The jsii runtime inherits the
// directory when the first CDK call starts it, so this runs before any.
func enterCallerDir() {
	if dir := os.Getenv("PWD"); dir != "" {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintln(os.Stderr, "rapport cdk: stay in", dir, ":", err)
		}
	}
}

// propsFromContext reads the stage configuration from CDK context. The stack stays
// environment-agnostic: account and region come from the CLI's credentials at deploy.
func propsFromContext(app awscdk.App, appDir string) (*stack.StackProps, error) {
	assetDir := contextPath(app, appDir, "assetDir", "../build")
	props := &stack.StackProps{
		Stage:                 contextString(app, "stage", "dev"),
		AssetDir:              assetDir,
		JWTIssuer:             contextString(app, "jwtIssuer", ""),
		JWTAudience:           contextList(app, "jwtAudience"),
		AlarmEmail:            contextString(app, "alarmEmail", ""),
		AlarmTopicArn:         contextString(app, "alarmTopicArn", ""),
		SESIdentity:           contextString(app, "sesIdentity", ""),
		Backup:                contextString(app, "backup", "") == "true",
		TableEncryption:       contextString(app, "tableEncryption", ""),
		APIDomain:             contextString(app, "apiDomain", ""),
		CertificateArn:        contextString(app, "certificateArn", ""),
		BackupCopyVaultArn:    contextString(app, "backupCopyVaultArn", ""),
		AuthDomainPrefix:      contextString(app, "authDomainPrefix", ""),
		ConsoleCallbackURLs:   contextList(app, "consoleCallbackUrls"),
		ConsoleLogoutURLs:     contextList(app, "consoleLogoutUrls"),
		MachineLocations:      contextList(app, "machineLocations"),
		MachineClientIDs:      contextList(app, "machineClientIds"),
		ConsoleDir:            contextPath(app, appDir, "consoleDir", "../console/dist"),
		ConsoleDomain:         contextString(app, "consoleDomain", ""),
		ConsoleCertificateArn: contextString(app, "consoleCertificateArn", ""),
		ConsoleWebACLArn:      contextString(app, "consoleWebAclArn", ""),
		ConsoleClientID:       contextString(app, "consoleClientId", ""),
	}
	for _, pair := range contextList(app, "tableNames") {
		name, table, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("context tableNames: %q is not <wiring table>=<table name>", pair)
		}
		if props.TableNames == nil {
			props.TableNames = map[string]string{}
		}
		props.TableNames[strings.TrimSpace(name)] = strings.TrimSpace(table)
	}
	if contextString(app, "deployedIndexes", "") != "" {
		d, err := indexplan.Read(contextPath(app, appDir, "deployedIndexes", ""))
		if err != nil {
			return nil, fmt.Errorf("context deployedIndexes: %w", err)
		}
		props.DeployedIndexes = d
	}
	var err error
	if props.SMSSpendLimitUSD, err = contextNumber(app, "smsSpendLimitUsd"); err != nil {
		return nil, err
	}
	concurrency, err := contextNumber(app, "sendConcurrency")
	if err != nil {
		return nil, err
	}
	props.SendConcurrency = int(concurrency)
	// Deployment settings the wiring rows name (notifyChannel, emailFrom, ...).
	props.Settings = map[string]string{}
	for _, f := range wiring.Functions {
		for _, e := range f.Env {
			if e.Setting != "" {
				if v := app.Node().TryGetContext(jsii.String(e.Setting)); v != nil {
					props.Settings[e.Setting] = fmt.Sprint(v)
				}
			}
		}
	}
	return props, nil
}

// contextPath reads a folder from context; a relative one is relative to infra/.
func contextPath(app awscdk.App, appDir, key, fallback string) string {
	dir := contextString(app, key, fallback)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(appDir, dir)
	}
	return dir
}

// contextNumber reads a numeric context value (-c key=12.5 arrives as a string); 0
// when absent, which the stack reads as its default.
func contextNumber(app awscdk.App, key string) (float64, error) {
	s := contextString(app, key, "")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("context %s=%q: want a number", key, s)
	}
	return n, nil
}

// contextList reads a comma-separated context value; blanks between commas are dropped.
func contextList(app awscdk.App, key string) []string {
	var out []string
	for _, item := range strings.Split(contextString(app, key, ""), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func contextString(app awscdk.App, key, fallback string) string {
	v := app.Node().TryGetContext(jsii.String(key))
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return fallback
}
