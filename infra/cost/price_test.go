package cost

import (
	"math"
	"testing"
	"time"
)

const tolerance = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) < tolerance }

func TestPrice(t *testing.T) {
	tests := []struct {
		name  string
		usage Usage
		want  Bill
	}{
		{
			name: "one API request",
			usage: Usage{
				Units:    Units{Read: 2, Write: 8},
				LambdaMB: 256, LambdaDuration: 20 * time.Millisecond, Invocations: 1,
				APIRequests: 1,
			},
			want: Bill{
				// 8 × 0.625e-6 + 2 × 0.125e-6 = 5e-6 + 0.25e-6.
				DynamoDB: 5.25e-6,
				// 256/1024 GB × 0.020 s × 0.0000133334 + 1 × 0.2e-6
				// = 0.005 × 0.0000133334 + 0.2e-6 = 0.066667e-6 + 0.2e-6.
				Lambda: 0.266667e-6,
				API:    1e-6,
			},
		},
		{
			name: "billed duration rounds up to the millisecond",
			usage: Usage{
				LambdaMB: 128, LambdaDuration: 1500 * time.Microsecond, Invocations: 1,
			},
			// 128/1024 GB × 0.002 s × 0.0000133334 + 0.2e-6
			// = 0.00025 × 0.0000133334 + 0.2e-6 = 0.00333335e-6 + 0.2e-6.
			want: Bill{Lambda: 0.20333335e-6},
		},
		{
			name:  "queue messages",
			usage: Usage{Units: Units{Read: 0.5}, SQSRequests: 3},
			// 0.5 × 0.125e-6 = 0.0625e-6; 3 × 0.4e-6 = 1.2e-6.
			want: Bill{DynamoDB: 0.0625e-6, SQS: 1.2e-6},
		},
		{
			name:  "standard and FIFO queue messages",
			usage: Usage{SQSRequests: 2, SQSFIFORequests: 3},
			// 2 × 0.4e-6 + 3 × 0.5e-6 = 0.8e-6 + 1.5e-6.
			want: Bill{SQS: 2.3e-6},
		},
		{
			name:  "a signing key's GenerateMac",
			usage: Usage{Units: Units{Write: 1}, KMSRequests: 1},
			// 1 × 0.625e-6; 1 × $0.03 / 10,000 = 3e-6: a MAC costs nearly five write units.
			want: Bill{DynamoDB: 0.625e-6, KMS: 3e-6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := USEast1.Price(tt.usage)
			if !near(got.DynamoDB, tt.want.DynamoDB) || !near(got.Lambda, tt.want.Lambda) ||
				!near(got.API, tt.want.API) || !near(got.SQS, tt.want.SQS) || !near(got.KMS, tt.want.KMS) {
				t.Errorf("Price = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBillTotal(t *testing.T) {
	// The first worked example above: 5.25e-6 + 0.266667e-6 + 1e-6 + 0.
	bill := USEast1.Price(Usage{
		Units:    Units{Read: 2, Write: 8},
		LambdaMB: 256, LambdaDuration: 20 * time.Millisecond, Invocations: 1,
		APIRequests: 1,
	})
	if got, want := bill.Total(), 6.516667e-6; !near(got, want) {
		t.Errorf("Total = %g, want %g", got, want)
	}
	// AND a KMS request adds its 3e-6
	bill.KMS = USEast1.Price(Usage{KMSRequests: 1}).KMS
	if got, want := bill.Total(), 9.516667e-6; !near(got, want) {
		t.Errorf("Total with a KMS request = %g, want %g", got, want)
	}
}

func TestBilledDuration(t *testing.T) {
	tests := []struct {
		in, want time.Duration
	}{
		{0, 0},
		{20 * time.Millisecond, 20 * time.Millisecond},
		{20*time.Millisecond + time.Nanosecond, 21 * time.Millisecond},
		{1500 * time.Microsecond, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := BilledDuration(tt.in); got != tt.want {
			t.Errorf("BilledDuration(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRequestChunks(t *testing.T) {
	tests := []struct {
		name    string
		f       func(int) int
		payload int
		want    int
	}{
		{"SQS empty", SQSRequests, 0, 1},
		{"SQS 64 KB", SQSRequests, 65536, 1},
		{"SQS 64 KB + 1", SQSRequests, 65537, 2},
		{"SQS 256 KB", SQSRequests, 262144, 4},
		{"API empty", APIRequests, 0, 1},
		{"API 512 KB", APIRequests, 524288, 1},
		{"API 512 KB + 1", APIRequests, 524289, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.payload); got != tt.want {
				t.Errorf("= %d, want %d", got, tt.want)
			}
		})
	}
}
