package catalog

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// TestEachFunctionLinksOnlyItsKeyServices: a Lambda binary links the KMS keeper
// (keyring/kms) exactly when its row uses a MAC key, and the Secrets Manager keeper
// (keyring/secrets) exactly when it uses a secret key: its main passes those to
// app.Start and nothing else brings them in. A function that needs one and lacks it
// could not open its key in AWS; one that links one it never uses carries its SDK
// client for nothing.
func TestEachFunctionLinksOnlyItsKeyServices(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-json=ImportPath,Deps", "../../functions/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if name, ok := strings.CutPrefix(p.ImportPath, "github.com/rapport-crm/rapport/functions/"); ok {
			deps[name] = p.Deps
		}
	}
	kinds := map[string]wiring.KeyKind{}
	for _, k := range wiring.SigningKeys {
		kinds[k.Name] = k.Kind
	}
	const keeper = "github.com/rapport-crm/rapport/shared/keyring/"
	for _, f := range wiring.Functions {
		d, ok := deps[f.Name]
		if !ok {
			t.Fatalf("go list said nothing of functions/%s", f.Name)
		}
		var macs, secrets bool
		for k := range f.Keys {
			macs = macs || kinds[k] == wiring.MACKey
			secrets = secrets || kinds[k] == wiring.SecretKey
		}
		if got := slices.Contains(d, keeper+"kms"); got != macs {
			t.Errorf("%s links keyring/kms: %v; its row uses a MAC key: %v", f.Name, got, macs)
		}
		if got := slices.Contains(d, keeper+"secrets"); got != secrets {
			t.Errorf("%s links keyring/secrets: %v; its row uses a secret key: %v", f.Name, got, secrets)
		}
	}
}
