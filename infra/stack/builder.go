package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
)

// builder carries what one part of the stack needs from another while NewStack runs.
type builder struct {
	stack awscdk.Stack
	props StackProps
	stage stage

	tables    map[string]*dataTable
	queues    map[string]*dataQueue
	dlqs      map[string]awssqs.Queue // by DLQ name: queues that share one get the same
	keys      map[string]*signingKey
	functions []*lambdaFunction

	api          awsapigatewayv2.HttpApi
	apiStage     awsapigatewayv2.HttpStage
	publicRoutes []publicRoute
	userPool     *userPool
	console      *console

	// key is the data key (dataKey), nil until first used.
	key        awskms.Key
	alarmTopic awssns.ITopic
	configSet  awsses.ConfigurationSet
	smsLogRole awsiam.Role

	// runFailures is the scheduled functions' shared on-failure queue, nil until the
	// first scheduled function.
	runFailures     awssqs.Queue
	backupSelection awsbackup.BackupSelection
}
