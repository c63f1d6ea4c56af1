package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// LocationsAttribute is the custom user attribute listing the locations a staff member
// works for; tokens carry it as "custom:locations".
const LocationsAttribute = "locations"

// userPool is the stack's own identity provider for staff and machine clients.
type userPool struct {
	pool   awscognito.UserPool
	client awscognito.UserPoolClient
}

func (b *builder) buildUserPool() *userPool {
	pool := awscognito.NewUserPool(b.stack, jsii.String("StaffPool"), &awscognito.UserPoolProps{
		// Staff accounts are created by an admin, never by sign-up.
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(12),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		// Staff read customers' personal data: a second factor is required. TOTP only,
		// so the pool needs no SMS role.
		Mfa:             awscognito.Mfa_REQUIRED,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery: awscognito.AccountRecovery_EMAIL_ONLY,
		FeaturePlan:     awscognito.FeaturePlan_ESSENTIALS,
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			LocationsAttribute: awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				Mutable: jsii.Bool(true),
				MaxLen:  jsii.Number(2048),
			}),
		},
		DeletionProtection: jsii.Bool(b.stage.deletionProtection),
		RemovalPolicy:      b.stage.removal,
	})
	// Tokens carry the groups in cognito:groups; functions match them to route roles.
	for _, role := range wiring.AllRoles {
		pool.AddGroup(jsii.String(pascal(role)+"Group"), &awscognito.UserPoolGroupOptions{
			GroupName:   jsii.String(role),
			Description: jsii.String("Rapport role " + role),
		})
	}
	client := pool.AddClient(jsii.String("StaffClient"), &awscognito.UserPoolClientOptions{
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		GenerateSecret:             jsii.Bool(false),
		PreventUserExistenceErrors: jsii.Bool(true),
		// No hosted UI or callback URLs yet; enabling OAuth would need real ones.
		DisableOAuth: jsii.Bool(true),
	})

	b.output("UserPoolId", pool.UserPoolId(), "Cognito user pool for staff")
	b.output("UserPoolClientId", client.UserPoolClientId(), "Cognito app client (JWT audience)")
	b.output("JwtIssuer", jsii.String("https://"+*pool.UserPoolProviderUrl()), "Issuer the API's JWT authorizer trusts")
	return &userPool{pool: pool, client: client}
}
