package main

import (
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseDeps(t *testing.T) {
	got := parseDeps("github.com/rapport-crm/rapport/functions/health context fmt\ngithub.com/aws/aws-sdk-go-v2/config\n")
	if want := []string{"context", "fmt"}; !slices.Equal(got[functionPrefix+"health"], want) {
		t.Errorf("health deps = %v, want %v", got[functionPrefix+"health"], want)
	}
	if deps, ok := got[configPackage]; !ok || len(deps) != 0 {
		t.Errorf("config deps = %v (listed %v), want listed with none", deps, ok)
	}
}

func TestSDKServices(t *testing.T) {
	loader := []string{servicePrefix + "sts", servicePrefix + "sso", servicePrefix + "internal/presigned-url"}
	tests := []struct {
		name string
		deps []string
		want []string
	}{
		{"clients only, sorted, without sub-packages", []string{
			servicePrefix + "sqs", servicePrefix + "dynamodb", servicePrefix + "dynamodb/types",
			servicePrefix + "internal/accept-encoding", "github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression",
		}, []string{"dynamodb", "sqs"}},
		{"the loader's own services are not the program's clients", []string{
			servicePrefix + "sts", servicePrefix + "sso", servicePrefix + "kms",
		}, []string{"kms"}},
		{"no SDK at all", []string{"fmt", "github.com/aws/aws-lambda-go/lambda"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sdkServices(tt.deps, loader); !slices.Equal(got, tt.want) {
				t.Errorf("sdkServices = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSharedPackages(t *testing.T) {
	deps := []string{sharedPrefix + "wiring", "github.com/rapport-crm/rapport/functions/health", sharedPrefix + "app", "fmt"}
	if got, want := sharedPackages(deps), []string{"app", "wiring"}; !slices.Equal(got, want) {
		t.Errorf("sharedPackages = %v, want %v", got, want)
	}
}

func TestSDKMain(t *testing.T) {
	src := string(sdkMain([]string{"dynamodb", "sesv2"}))
	if _, err := parser.ParseFile(token.NewFileSet(), "main.go", src, 0); err != nil {
		t.Fatalf("generated source does not parse: %v\n%s", err, src)
	}
	for _, want := range []string{
		`"github.com/aws/aws-sdk-go-v2/service/sesv2"`, "dynamodb.NewFromConfig(cfg)", "sesv2.NewFromConfig(cfg)",
		"credentials.NewStaticCredentialsProvider(", `os.Getenv("AWS_REGION")`, "lambda.Start(",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated source lacks %s:\n%s", want, src)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{8, 2, 4, 100}, 6},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBreaches(t *testing.T) {
	tests := []struct {
		size  int64
		ratio float64
		want  string
	}{
		{sizeBudget, initBudget, ""},
		{sizeBudget + 2_340_000, 1.0, "size +2.3 MB"},
		{9_000_000, 1.456, "init 1.46x"},
		{21_100_000, 2.0, "size +11.1 MB, init 2.00x"},
		{21_100_000, 0, "size +11.1 MB"}, // init unknown
	}
	for _, tt := range tests {
		if got := breaches(tt.size, tt.ratio); got != tt.want {
			t.Errorf("breaches(%d, %v) = %q, want %q", tt.size, tt.ratio, got, tt.want)
		}
	}
}

// The fake Runtime API is also the process's proxy: a request for another host is
// refused and recorded, while the first GET /next is timed and held.
func TestRuntimeAPI(t *testing.T) {
	p := &program{name: "probe"}
	api, stop := p.listen()
	addr := api.addr

	proxy, _ := url.Parse("http://" + addr)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	resp, err := client.Get("https://dynamodb.us-east-1.amazonaws.com/")
	if err == nil {
		resp.Body.Close()
		t.Errorf("a request through the proxy got through")
	}

	done := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + nextPath)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-api.next:
	case <-time.After(5 * time.Second):
		t.Fatal("GET /next was not noticed")
	}
	select {
	case <-done:
		t.Error("GET /next was answered before the process was stopped")
	case <-time.After(50 * time.Millisecond):
	}
	stop()
	<-done
	if want := map[string]int{"CONNECT dynamodb.us-east-1.amazonaws.com:443": 1}; !maps.Equal(p.outside, want) {
		t.Errorf("outside = %v, want %v", p.outside, want)
	}
}
