// Command cdk is Rapport's CDK app: one stack per stage, checked by cdk-nag's
// AwsSolutions rules on every synth.
//
// Context keys (cdk -c key=value):
//
//	stage        dev (default) or prod; the stack is named Rapport-<stage>
//	assetDir     folder of built functions, one <name>/bootstrap each (default ../build,
//	             relative to infra/, i.e. the repository's build/)
//	jwtIssuer    with jwtAudience (comma-separated): trust this OIDC issuer instead of
//	             creating a Cognito user pool
//	alarmEmail   subscribe this address to the alarm topic
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/rapport-crm/rapport/infra/stack"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func main() {
	defer jsii.Close()

	fixOutdir()
	app := awscdk.NewApp(nil)
	props, err := propsFromContext(app)
	if err == nil {
		err = stack.CheckAssets(props.AssetDir, wiring.Functions)
	}
	if err == nil {
		err = props.Validate()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rapport cdk:", err)
		os.Exit(1)
	}

	stack.NewStack(app, "Rapport-"+props.Stage, props)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
}

// fixOutdir points CDK_OUTDIR at the dir the CLI reads the cloud assembly from.
// cdk.json runs this app with `go run -C infra`, but the CLI names its output dir
// relative to the repository root. It must run before the first CDK call starts the
// jsii runtime, which reads the variable too.
func fixOutdir() {
	if dir := os.Getenv("CDK_OUTDIR"); dir != "" && !filepath.IsAbs(dir) {
		os.Setenv("CDK_OUTDIR", filepath.Join("..", dir))
	}
}

// propsFromContext reads the stage configuration from CDK context. The stack stays
// environment-agnostic: account and region come from the CLI's credentials at deploy.
func propsFromContext(app awscdk.App) (*stack.StackProps, error) {
	assetDir, err := filepath.Abs(contextString(app, "assetDir", "../build"))
	if err != nil {
		return nil, fmt.Errorf("assetDir: %w", err)
	}
	props := &stack.StackProps{
		Stage:      contextString(app, "stage", "dev"),
		AssetDir:   assetDir,
		JWTIssuer:  contextString(app, "jwtIssuer", ""),
		AlarmEmail: contextString(app, "alarmEmail", ""),
	}
	for _, aud := range strings.Split(contextString(app, "jwtAudience", ""), ",") {
		if aud = strings.TrimSpace(aud); aud != "" {
			props.JWTAudience = append(props.JWTAudience, aud)
		}
	}
	return props, nil
}

func contextString(app awscdk.App, key, fallback string) string {
	v := app.Node().TryGetContext(jsii.String(key))
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return fallback
}
