package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
)

// builder carries what one part of the stack needs from another while NewStack runs.
type builder struct {
	stack awscdk.Stack
	props StackProps
	stage stage

	tables    map[string]*dataTable
	queues    map[string]*dataQueue
	keys      map[string]*signingKey
	functions []*lambdaFunction

	api          awsapigatewayv2.HttpApi
	apiStage     awsapigatewayv2.HttpStage
	publicRoutes []publicRoute
	userPool     *userPool
	console      *console

	alarmTopic awssns.ITopic
	configSet  awsses.ConfigurationSet
	smsLogRole awsiam.Role

	failureQueues   []scheduledFailures
	backupSelection awsbackup.BackupSelection
	accessLogs      awslogs.LogGroup
}
