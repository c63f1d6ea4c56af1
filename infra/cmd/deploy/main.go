// Command deploy runs a CDK command against a stage as many times as its tables' index
// changes need. One stack update may create or delete only one index per table, so
// before each run it reads what the stage's tables hold (the stack's outputs name them,
// DescribeTable lists their indexes), waits until each table and index is ACTIVE (a
// stack update returns while DynamoDB still fills a new index, and a table whose index
// is filling takes no other index change), and
// hands that to the CDK app (context deployedIndexes), which declares each table's next
// step (infra/indexplan). It runs again until every table has the wiring's indexes;
// with -once it runs the command once (make diff: the next step's changes).
//
//	go run -C infra ./cmd/deploy -stage dev [-once] -- <cdk command and its arguments>
//
// The command runs in the caller's directory (the shell's PWD, which `go run -C`
// leaves alone), with the credentials and region the AWS SDK finds, as the CDK CLI does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// maxSteps bounds the runs: each table's index changes, one per run, and one more.
const maxSteps = 20

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rapport deploy:", err)
		os.Exit(1)
	}
}

func run() error {
	stage := flag.String("stage", "dev", "the stage; its stack is Rapport-<stage>")
	once := flag.Bool("once", false, "run the command once (a diff)")
	out := flag.String("out", "", "where to write what the tables hold (default <caller's dir>/build/indexes-<stage>.json)")
	flag.Parse()
	command := flag.Args()
	if len(command) == 0 {
		return errors.New("no command: go run ./cmd/deploy -stage dev -- <cdk command>")
	}
	dir := os.Getenv("PWD")
	if dir == "" {
		dir, _ = os.Getwd()
	}
	path := *out
	if path == "" {
		path = filepath.Join(dir, "build", "indexes-"+*stage+".json")
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}

	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	r := reader{stacks: cloudformation.NewFromConfig(cfg), tables: dynamodb.NewFromConfig(cfg), poll: 15 * time.Second, log: os.Stderr}
	return steps(ctx, r, "Rapport-"+*stage, path, *once, func() error {
		cmd := exec.CommandContext(ctx, command[0], append(command[1:], "-c", "deployedIndexes="+path)...)
		cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = dir, os.Stdin, os.Stdout, os.Stderr
		return cmd.Run()
	})
}

// steps reads the stage, writes what it holds to path and runs the command, until the
// plan says the tables are at the wiring's indexes (or once); then it waits until each
// index is ACTIVE.
func steps(ctx context.Context, r reader, stack, path string, once bool, command func() error) error {
	last := ""
	for step := 1; ; step++ {
		d, err := r.deployed(ctx, stack)
		if err != nil {
			return err
		}
		plan, final, err := indexplan.Plan(wiring.Tables, d)
		if err != nil {
			return err
		}
		changes := describe(plan)
		if changes != "" && changes == last {
			return fmt.Errorf("the last run did not make its index change (%s): see the stack's events", changes)
		}
		last = changes
		if changes == "" {
			changes = "no index change"
		}
		fmt.Fprintf(r.log, "rapport deploy: step %d: %s\n", step, changes)
		if err := indexplan.Write(path, d); err != nil {
			return err
		}
		if err := command(); err != nil {
			return err
		}
		if once {
			return nil
		}
		if final {
			// A stack update returns once DynamoDB has begun to fill a new index, not
			// when it is readable: wait for that too, so the deploy ends with every
			// index answering.
			_, err := r.deployed(ctx, stack)
			return err
		}
		if step == maxSteps {
			return fmt.Errorf("%d runs and the tables still lack the wiring's indexes", step)
		}
	}
}

// describe lists each table's change in the plan, by table name.
func describe(plan map[string]indexplan.Step) string {
	var out []string
	for name, step := range plan {
		if step.Change != "" {
			out = append(out, name+": "+step.Change)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// Stacks and Tables are the calls the reader makes.
type Stacks interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

type Tables interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// reader reads what a stage's own tables hold.
type reader struct {
	stacks Stacks
	tables Tables
	poll   time.Duration
	log    io.Writer
}

// deployed is what the stack's own tables hold, each once it and its indexes are
// ACTIVE (an index still building cannot take another change); an empty Deployed for
// a stack that does not exist. Tables the stack adopted (tableNames) are left out:
// their indexes are not the stack's to change.
func (r reader) deployed(ctx context.Context, stack string) (indexplan.Deployed, error) {
	out, err := r.stacks.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
		return indexplan.Deployed{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe stack %s: %w", stack, err)
	}
	if len(out.Stacks) != 1 {
		return nil, fmt.Errorf("describe stack %s: %d stacks", stack, len(out.Stacks))
	}
	d := indexplan.Deployed{}
	for _, def := range wiring.Tables {
		i := slices.IndexFunc(out.Stacks[0].Outputs, func(o cftypes.Output) bool { return aws.ToString(o.OutputKey) == indexplan.OutputKey(def.Name) })
		if i < 0 {
			continue // a table this release adds
		}
		o := out.Stacks[0].Outputs[i]
		if strings.HasSuffix(aws.ToString(o.Description), indexplan.AdoptedNote) {
			continue
		}
		t, err := r.active(ctx, aws.ToString(o.OutputValue))
		if err != nil {
			return nil, err
		}
		d[def.Name] = dynamo.Indexes(t)
	}
	return d, nil
}

// active describes a table once it and each of its indexes are ACTIVE.
func (r reader) active(ctx context.Context, table string) (*types.TableDescription, error) {
	said := ""
	for {
		out, err := r.tables.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return nil, fmt.Errorf("describe table %s: %w", table, err)
		}
		busy := ""
		if out.Table.TableStatus != types.TableStatusActive {
			busy = "table " + string(out.Table.TableStatus)
		}
		for _, ix := range out.Table.GlobalSecondaryIndexes {
			if ix.IndexStatus != types.IndexStatusActive {
				busy = "index " + aws.ToString(ix.IndexName) + " " + string(ix.IndexStatus)
			}
		}
		if busy == "" {
			return out.Table, nil
		}
		if busy != said {
			fmt.Fprintf(r.log, "rapport deploy: %s: %s; waiting\n", table, busy)
			said = busy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(r.poll):
		}
	}
}
