package wiring

// Tables are the DynamoDB tables, one per domain. Key design and access patterns are
// written down in each domain's keys.go.
//
// Each index projects what its queries read (README "Index projections" has the
// inventory): keys only where a job reads keys and then the item, ALL where a list
// shows whole items. A projection changes under a new name (Index.Replaces); make
// deploy takes a table there one index change per stack update (infra/indexplan).
// "Later:" notes the next ones.
var Tables = []Table{
	{
		Name:         "surveys",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// A customer's responses, newest first (sparse: responses of known customers).
			// Later: INCLUDE value (the response, all its readers use), so bookkeeping
			// on a response (its comment keys, redactedAt) stops rewriting the entry.
			Name:         "byCustomer",
			PartitionKey: Key{Name: "customerPk", Type: String},
			SortKey:      &Key{Name: "customerSk", Type: String},
		}, {
			// Responses that still hold free text (a comment or a text answer), oldest
			// first per shard: the retention job's way to them (sparse: removed with the text).
			// Keys only: the job reads each response by key when it redacts it, so the
			// entry of a response with a long comment, written and later removed, is
			// one unit each time instead of as many as the response's KB.
			Name:         "commentKeys",
			PartitionKey: Key{Name: "commentPk", Type: String},
			SortKey:      &Key{Name: "commentSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "comments",
		}, {
			// Every survey's current definition, newest survey first: the staff list
			// (sparse: definition items only).
			Name:         "catalog",
			PartitionKey: Key{Name: "catalogPk", Type: String},
			SortKey:      &Key{Name: "catalogSk", Type: String},
		}},
		TTLAttribute: "expiresAt",
	},
	{
		Name:         "followups",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// Sparse and sharded: only follow-ups waiting to be sent carry these
			// attributes (DUE#n; QUEUED#n for those queued by an earlier release).
			// INCLUDE id, queuedAt: all the dispatcher reads, so the sender's claim
			// and release, which change neither, leave the entry alone.
			Name:         "dueIds",
			PartitionKey: Key{Name: "duePk", Type: String},
			SortKey:      &Key{Name: "dueSk", Type: String},
			Projection:   Projection{Type: ProjectInclude, NonKey: []string{"id", "queuedAt"}},
			Replaces:     "due",
		}, {
			// Follow-ups to a customer, newest first (sparse: customer recipients only).
			// Keys only: the customer's follow-up list, the timeline and the export
			// read the page's follow-ups by key (BatchGetItem), so queuing, claiming and
			// finishing a follow-up to a customer no longer rewrite its entry.
			Name:         "byCustomerKeys",
			PartitionKey: Key{Name: "customerPk", Type: String},
			SortKey:      &Key{Name: "customerSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "byCustomer",
		}, {
			// A location's follow-ups by due time (sparse: follow-ups from a location).
			// Keys only: the list reads the page's follow-ups by key (BatchGetItem), so
			// queuing, claiming and finishing a follow-up no longer rewrite its entry.
			Name:         "byLocationKeys",
			PartitionKey: Key{Name: "locationPk", Type: String},
			SortKey:      &Key{Name: "locationSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "byLocation",
		}},
		TTLAttribute: "expiresAt",
	},
	{
		Name:         "complaints",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// The staff queue of a location, by status then age (ALL: the queue shows
			// whole cases).
			Name:         "queue",
			PartitionKey: Key{Name: "queuePk", Type: String},
			SortKey:      &Key{Name: "queueSk", Type: String},
		}, {
			// An assignee's cases (sparse: assigned cases only; ALL, as queue).
			Name:         "byAssignee",
			PartitionKey: Key{Name: "assigneePk", Type: String},
			SortKey:      &Key{Name: "assigneeSk", Type: String},
		}, {
			// Sparse and sharded: cases whose SLA clock runs toward its next ladder
			// step, by when it is due. Keys only: the SLA job reads the case by key, so
			// an action that leaves the next check time as it was writes no entry.
			Name:         "slaKeys",
			PartitionKey: Key{Name: "slaPk", Type: String},
			SortKey:      &Key{Name: "slaSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "sla",
		}, {
			// A customer's cases, newest first (sparse: cases linked to a customer).
			// INCLUDE what the timeline shows; merge and erasure read only the id. A
			// note or an assignment, which changes none of it, leaves the entry alone.
			Name:         "customerCases",
			PartitionKey: Key{Name: "customerPk", Type: String},
			SortKey:      &Key{Name: "customerSk", Type: String},
			Projection: Projection{Type: ProjectInclude, NonKey: []string{
				"id", "reference", "locationId", "category", "severity", "channel", "status", "breached", "createdAt"}},
			Replaces: "byCustomer",
		}},
		TTLAttribute: "expiresAt",
	},
	{
		Name:         "loyalty",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// Sparse and sharded: lots and accounts with a timer (release, reminder,
			// expiry, tier review), by when it is due. Keys only: the timers job reads
			// the sort key (it names the account and lot), so an earn or a redeem,
			// which changes the account and its lots but not their timers, writes no
			// entry.
			Name:         "dueKeys",
			PartitionKey: Key{Name: "duePk", Type: String},
			SortKey:      &Key{Name: "dueSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "due",
		}, {
			// Members with a birthday, by month and day. INCLUDE what the birthday
			// job reads, so earns and redeems, which change the account's balance
			// and figures, leave the entry alone.
			Name:         "birthdayDates",
			PartitionKey: Key{Name: "bdayPk", Type: String},
			SortKey:      &Key{Name: "bdaySk", Type: String},
			Projection:   Projection{Type: ProjectInclude, NonKey: []string{"customerId", "birthday", "timeZone", "lastBirthdayYear"}},
			Replaces:     "birthday",
		}},
		TTLAttribute: "expiresAt",
	},
	{
		// The rewards catalogue and the vouchers (shared/reward/keys.go).
		Name:         "rewards",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// A customer's vouchers, newest first (sparse: voucher items only). ALL:
			// the list shows whole vouchers.
			Name:         "byCustomer",
			PartitionKey: Key{Name: "customerPk", Type: String},
			SortKey:      &Key{Name: "customerSk", Type: String},
		}, {
			// Sparse and sharded: issued vouchers with a timer still to run (delivery,
			// reminder, expiry), by when it is due. Keys only: the timers job takes
			// the code from the entry's pk and reads the voucher by key, so a change
			// that keeps the next timer (a merge or an erasure moving the voucher to
			// another customer id) writes no entry, and an entry put or removed
			// (issue, a timer run, redeem, reversal, cancel) is one unit whatever the
			// voucher's size.
			Name:         "dueKeys",
			PartitionKey: Key{Name: "duePk", Type: String},
			SortKey:      &Key{Name: "dueSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "due",
		}},
		TTLAttribute: "expiresAt",
	},
	{
		// Profiles, the contact index, visits, consent, the marketing cap, the
		// unsubscribe links' lookups and the locations registry (signing keys are not
		// here: see SigningKeys).
		Name:         "customers",
		PartitionKey: Key{Name: "pk", Type: String},
		SortKey:      &Key{Name: "sk", Type: String},
		Indexes: []Index{{
			// The customers of a home location (the value job, segments, win-back).
			// ALL: each reads every profile of the location whole; keys only would make
			// each run a BatchGetItem of every profile.
			Name:         "home",
			PartitionKey: Key{Name: "homePk", Type: String},
			SortKey:      &Key{Name: "homeSk", Type: String},
		}, {
			// Named customers of a home location by folded name: search by the start
			// of a name (sparse: named profiles with a home). Keys only: the search
			// reads the page's profiles by key (BatchGetItem), so a visit and the
			// value job's daily figures no longer rewrite the entry.
			Name:         "byNameKeys",
			PartitionKey: Key{Name: "namePk", Type: String},
			SortKey:      &Key{Name: "nameSk", Type: String},
			Projection:   Projection{Type: ProjectKeysOnly},
			Replaces:     "byName",
		}, {
			// Sparse and sharded: visits whose effects (points, the survey invitation)
			// are not yet done, by when they arrived. ALL: each entry is written once
			// and removed once, and the retry reads the whole visit.
			Name:         "visitEffects",
			PartitionKey: Key{Name: "fxPk", Type: String},
			SortKey:      &Key{Name: "fxSk", Type: String},
		}},
		TTLAttribute: "expiresAt",
	},
}

// Queues are the SQS queues; each has a dead-letter queue. The email and SMS
// deliveries share one, deliveries-dlq: a message there is a rendered message that was
// not delivered after five receives, whichever its channel (its follow-up is marked
// failed), and one alarm metric watches both ($0.10 a month less).
var Queues = []Queue{
	{
		Name: "followups",
		// Six times the sender's timeout plus its batching window (6 × 15 s + 2 s), as
		// Lambda's SQS guidance asks; the stack refuses less.
		VisibilityTimeoutSeconds: 92,
		MaxReceiveCount:          5,
		DLQRetentionDays:         14,
	},
	{
		// Rendered emails on their way from followup-sender to followup-email. FIFO:
		// the sender's deduplication id is the follow-up's id, so a follow-up handed
		// over twice (a sender that stopped before recording it sent) is delivered
		// once. Six times followup-email's timeout (6 × 10 s); a FIFO trigger has no
		// batching window.
		Name:                     "emails",
		FIFO:                     true,
		DeadLetter:               deliveriesDLQ,
		VisibilityTimeoutSeconds: 60,
		MaxReceiveCount:          5,
		DLQRetentionDays:         14,
	},
	{
		// Rendered SMS on their way from followup-sender to followup-sms, as emails.
		Name:                     "texts",
		FIFO:                     true,
		DeadLetter:               deliveriesDLQ,
		VisibilityTimeoutSeconds: 60,
		MaxReceiveCount:          5,
		DLQRetentionDays:         14,
	},
	{
		// SES bounce and complaint events, through the stack's SNS topic (aws channel).
		// Six times mail-feedback's timeout plus its batching window (6 × 10 s + 1 s).
		Name:                     "mail-feedback",
		VisibilityTimeoutSeconds: 61,
		MaxReceiveCount:          5,
		DLQRetentionDays:         14,
	},
}

// deliveriesDLQ is the dead-letter queue the email and SMS queues share.
const deliveriesDLQ = "deliveries-dlq"

// SigningKeys are the keys kept out of the tables; each function lists those it uses.
var SigningKeys = []SigningKey{
	{
		Name: "unsubscribe",
		Kind: MACKey,
		// The follow-up sender signs the handles of unsubscribe links; customers-public
		// verifies them. The voucher timers sign the voucher page's links with it too
		// (another message prefix: shared/reward/link.go); vouchers-public verifies them.
		// customer-data finds their lookups by it, to delete them on an erasure and
		// turn them to the survivor on a merge.
		// To rotate: put a new version first ([]int{2, 1}), deploy; later
		// drop the old one ([]int{2}) to end its links' grace period.
		Description: "Signs the handles of unsubscribe links",
		Versions:    []int{1},
	},
	{
		Name: "webhook",
		Kind: SecretKey,
		// The follow-up sender signs webhooks with it; admins read it for their receivers.
		Description: "Signs webhooks (HMAC-SHA256); admins read it at GET /v1/settings/webhook-key",
	},
	{
		Name: "cursor",
		Kind: SecretKey,
		// Every list seals its cursors with it (shared/cursor), so a cursor opens in
		// any instance and a made-up one is refused before the database is asked.
		Description: "Seals list cursors (HMAC-SHA256)",
	},
}

// Staff is every staff role (agent and up); ManagerUp is manager and admin.
var (
	Staff     = []string{RoleAgent, RoleManager, RoleAdmin}
	ManagerUp = []string{RoleManager, RoleAdmin}
	// AdminOnly is head office: settings that apply to every location.
	AdminOnly = []string{RoleAdmin}
	// StaffAndSystem adds machine clients (a booking system inviting its guests).
	StaffAndSystem = []string{RoleAgent, RoleManager, RoleAdmin, RoleSystem}
)

// Public routes share this default throttle unless a route sets its own.
var DefaultThrottle = Throttle{RatePerSecond: 50, Burst: 100}

// Functions is the wiring table: one row per folder under functions/.
var Functions = []Function{
	{
		Name: "health",
		Description: "Answers the health check: GET /v1/health is cheap and public (no AWS call); GET /v1/health/deep, for ops, " +
			"asks each table, the follow-ups' queues and the dispatcher's heartbeat, and is 503 naming what failed.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/health", Auth: Public},
			{Method: "GET", Path: "/v1/health/deep", Auth: JWT, Roles: []string{RoleAdmin, RoleSystem}},
		}},
		// One GetItem per table (the narrowest call the wiring's accesses can grant;
		// on followups it reads the dispatcher's heartbeat) and GetQueueAttributes of
		// each queue a follow-up goes through.
		Tables: map[string]Access{"surveys": Read, "followups": Read, "complaints": Read, "loyalty": Read, "customers": Read},
		Queues: map[string]Access{"followups": Inspect, "emails": Inspect, "texts": Inspect},
		Env: []EnvVar{
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "FOLLOWUPS_QUEUE_URL", Queue: "followups"},
			{Name: "EMAILS_QUEUE_URL", Queue: "emails"},
			{Name: "TEXTS_QUEUE_URL", Queue: "texts"},
			{Name: "DISPATCHER_STALE_AFTER", Value: "5m"},
		},
		TimeoutSeconds: 5,
		MemoryMB:       128,
	},
	{
		Name:        "surveys-public",
		Description: "Serves the hosted survey form and takes responses; a response, its aggregates and its closed loop (alerts, a complaint case) are one transaction.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/s/{token}", Auth: Public},
			{Method: "POST", Path: "/v1/surveys/{surveyId}/responses", Auth: Public,
				Throttle: &Throttle{RatePerSecond: 20, Burst: 40}, Form: true},
		}},
		Tables: map[string]Access{"surveys": ReadWrite, "followups": ReadWrite, "customers": Read, "complaints": ReadWrite},
		Env: []EnvVar{
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "surveys-staff",
		Description: "Survey definitions and versions, invitations and public links, results and the CSV export, for staff.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/surveys", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/surveys", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/surveys/{surveyId}", Auth: JWT, Roles: Staff},
			{Method: "PUT", Path: "/v1/surveys/{surveyId}", Auth: JWT, Roles: ManagerUp},
			{Method: "POST", Path: "/v1/surveys/{surveyId}/invitations", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/surveys/{surveyId}/links", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/surveys/{surveyId}/results", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/surveys/{surveyId}/responses.csv", Auth: JWT, Roles: ManagerUp},
		}},
		Tables: map[string]Access{"surveys": ReadWrite},
		Keys:   map[string]Access{"cursor": Read},
		Env: []EnvVar{
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "PUBLIC_BASE_URL", API: true},
			{Name: "CURSOR_KEY", Key: "cursor"},
		},
		TimeoutSeconds: 20,
		MemoryMB:       256,
	},
	{
		Name:        "followup-dispatcher",
		Description: "Every minute: enqueues due follow-ups through the sharded due index, and leaves the heartbeat deep health reads.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 minute)"}},
		Tables:      map[string]Access{"followups": ReadWrite},
		Queues:      map[string]Access{"followups": Send},
		Env: []EnvVar{
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "FOLLOWUPS_QUEUE_URL", Queue: "followups"},
		},
		TimeoutSeconds: 50,
		MemoryMB:       256,
	},
	// The periodic jobs: each its own function on its own schedule (shared/job), built
	// by its domain, with only what that job touches. A job's lease item (JOB#<name>)
	// is in the table named in its builder.
	{
		Name:        "complaint-sla",
		Description: "Every minute: fires the complaint SLA ladder's warnings and escalations that fell due (shared/complaint/escalate.go).",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 minute)", Job: true}},
		// Customers: the case's location (business hours, escalation contacts).
		Tables: map[string]Access{"complaints": ReadWrite, "followups": ReadWrite, "customers": Read},
		Env: []EnvVar{
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
		},
		TimeoutSeconds: 50,
		MemoryMB:       256,
	},
	{
		Name:        "loyalty-timers",
		Description: "Every minute: releases pending points, reminds before expiry, expires lots and reviews tiers (shared/loyalty/jobs.go).",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 minute)", Job: true}},
		Tables:      map[string]Access{"loyalty": ReadWrite, "followups": ReadWrite},
		Env: []EnvVar{
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
		},
		TimeoutSeconds: 50,
		MemoryMB:       256,
	},
	{
		Name: "voucher-timers",
		Description: "Every ten minutes: delivers each new voucher to its customer (a follow-up with the link to their voucher page), " +
			"reminds them before it expires if unused, and counts the vouchers that expired unused, once each, where they were issued.",
		Trigger: Trigger{Schedule: &Schedule{Expression: "rate(10 minutes)", Job: true}},
		// Customers: the customer's address and language, the zones of the report's days.
		Tables: map[string]Access{"rewards": ReadWrite, "customers": Read, "followups": ReadWrite},
		// The voucher page's links are signed with the unsubscribe links' key (their
		// messages told apart by a prefix).
		Keys: map[string]Access{"unsubscribe": Sign},
		Env: []EnvVar{
			{Name: "REWARDS_TABLE", Table: "rewards"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "UNSUBSCRIBE_KEY", Key: "unsubscribe"},
			{Name: "PUBLIC_BASE_URL", API: true},
			{Name: "VOUCHER_REMINDER_DAYS", Setting: "voucherReminderDays", Value: "3"},
		},
		TimeoutSeconds: 120,
		MemoryMB:       256,
	},
	{
		Name:        "loyalty-birthdays",
		Description: "Hourly: gives members their birthday bonus and the programme's birthday voucher, once a year, with its message.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 hour)", Job: true}},
		// Rewards for the birthday voucher; customers for the member's home location
		// (where the voucher counts in the report) and its zone.
		Tables: map[string]Access{"loyalty": ReadWrite, "followups": ReadWrite, "rewards": ReadWrite, "customers": Read},
		Env: []EnvVar{
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "REWARDS_TABLE", Table: "rewards"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
		},
		TimeoutSeconds: 120,
		MemoryMB:       256,
	},
	{
		Name:        "loyalty-reconcile",
		Description: "Daily: checks that every balance equals its ledger; a difference fails the run.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 day)", Job: true}},
		Tables:      map[string]Access{"loyalty": Read},
		// It reads every account, lot and entry: no index lists the accounts
		// (shared/loyalty/reconcile.go says why a Scan).
		Scans: []string{"loyalty"},
		Env: []EnvVar{
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
		},
		TimeoutSeconds: 300,
		MemoryMB:       512,
	},
	{
		Name: "reindex",
		Description: "Run by hand once after an upgrade (safe to run again): gives the items an earlier release wrote the keys " +
			"of the indexes added since (customers byName, surveys catalog, followups byLocation, vouchers' timers); answers the counts, more: true to run again.",
		Trigger: Trigger{Manual: true},
		Tables:  map[string]Access{"customers": ReadWrite, "surveys": ReadWrite, "followups": ReadWrite, "rewards": ReadWrite},
		// It must find every item written without the new keys: no index lists them
		// (shared/migrate).
		Scans: []string{"customers", "surveys", "followups", "rewards"},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "REWARDS_TABLE", Table: "rewards"},
		},
		TimeoutSeconds: 300,
		MemoryMB:       256,
	},
	{
		Name:        "visit-effects",
		Description: "Every minute: finishes the effects of visits cut short (points, the survey invitation and its message).",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 minute)", Job: true}},
		Tables:      map[string]Access{"customers": ReadWrite, "loyalty": ReadWrite, "surveys": ReadWrite, "followups": ReadWrite},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "PUBLIC_BASE_URL", API: true},
		},
		TimeoutSeconds: 50,
		MemoryMB:       256,
	},
	{
		Name:        "customer-value",
		Description: "Daily: recomputes each customer's value figures (recency, frequency, spend, satisfaction) that segments select on.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 day)", Job: true}},
		// Surveys: each customer's latest scores (the byCustomer index).
		Tables: map[string]Access{"customers": ReadWrite, "surveys": Read},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
		},
		TimeoutSeconds: 300,
		MemoryMB:       256,
	},
	{
		Name:        "win-back",
		Description: "Daily: schedules the win-back message to customers drifting away, once per period each.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 day)", Job: true}},
		Tables:      map[string]Access{"customers": ReadWrite, "followups": ReadWrite},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
		},
		TimeoutSeconds: 300,
		MemoryMB:       256,
	},
	{
		Name:        "privacy-retention",
		Description: "Daily: removes the personal data of complaints closed longer ago than their retention, and of old survey comments.",
		Trigger:     Trigger{Schedule: &Schedule{Expression: "rate(1 day)", Job: true}},
		// Customers: the locations registry (the locations to go through).
		Tables: map[string]Access{"complaints": ReadWrite, "surveys": ReadWrite, "followups": ReadWrite, "customers": Read},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "COMPLAINT_RETENTION_DAYS", Setting: "complaintRetentionDays", Value: "365"},
			{Name: "SURVEY_COMMENT_RETENTION_DAYS", Setting: "surveyCommentRetentionDays", Value: "730"},
		},
		TimeoutSeconds: 300,
		MemoryMB:       256,
	},
	{
		Name:        "followup-sender",
		Description: "Sends each queued follow-up once: consent, rendering and webhooks here; emails and SMS handed to followup-email and followup-sms.",
		Trigger:     Trigger{Queue: &QueueTrigger{Queue: "followups", BatchSize: 10, WindowSeconds: 2}},
		Tables:      map[string]Access{"followups": ReadWrite, "customers": ReadWrite},
		Queues:      map[string]Access{"followups": Consume, "emails": Send, "texts": Send},
		Keys:        map[string]Access{"unsubscribe": Sign, "webhook": Read},
		Env: []EnvVar{
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "FOLLOWUPS_QUEUE_URL", Queue: "followups"},
			{Name: "EMAILS_QUEUE_URL", Queue: "emails"},
			{Name: "TEXTS_QUEUE_URL", Queue: "texts"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "UNSUBSCRIBE_KEY", Key: "unsubscribe"},
			{Name: "WEBHOOK_KEY", Key: "webhook"},
			{Name: "PUBLIC_BASE_URL", API: true},
			// See followups-staff: "true" only in the local runner.
			{Name: "NOTIFY_WEBHOOK_ALLOW_PRIVATE", Value: "false"},
			{Name: "BRAND_NAME", Setting: "brandName", Value: "Rapport"},
			{Name: "FOLLOWUP_RETRY_BASE", Value: "30s"},
			{Name: "MARKETING_CAP_WINDOW", Value: "168h"},
		},
		TimeoutSeconds: 15,
		MemoryMB:       256,
	},
	{
		Name:        "followup-email",
		Description: "Delivers the emails followup-sender rendered, by Amazon SES (or the outbox), recording one SES refuses as skipped.",
		Trigger:     Trigger{Queue: &QueueTrigger{Queue: "emails", BatchSize: 10}},
		Tables:      map[string]Access{"followups": ReadWrite},
		Queues:      map[string]Access{"emails": Consume},
		Env: []EnvVar{
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "DELIVERIES_QUEUE_URL", Queue: "emails"},
			// "outbox" (local, dev) or "aws" (SES).
			{Name: "NOTIFY_CHANNEL", Setting: "notifyChannel", Value: "outbox"},
			{Name: "NOTIFY_EMAIL_FROM", Setting: "emailFrom", Value: ""},
			// The SES configuration set every SendEmail names; the stack fills it in
			// with the one it makes when notifyChannel=aws.
			{Name: "NOTIFY_SES_CONFIGURATION_SET", Setting: "sesConfigurationSet", Value: ""},
			{Name: "FOLLOWUP_RETRY_BASE", Value: "30s"},
		},
		Sends:          []string{"email"},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "followup-sms",
		Description: "Delivers the SMS followup-sender rendered, by Amazon SNS (or the outbox), recording one SNS refuses as skipped.",
		Trigger:     Trigger{Queue: &QueueTrigger{Queue: "texts", BatchSize: 10}},
		Tables:      map[string]Access{"followups": ReadWrite},
		Queues:      map[string]Access{"texts": Consume},
		Env: []EnvVar{
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "DELIVERIES_QUEUE_URL", Queue: "texts"},
			// "outbox" (local, dev) or "aws" (SNS).
			{Name: "NOTIFY_CHANNEL", Setting: "notifyChannel", Value: "outbox"},
			// The SMS sender (SNS AWS.SNS.SMS.SenderID, AWS.MM.SMS.OriginationNumber).
			{Name: "NOTIFY_SMS_SENDER_ID", Setting: "smsSenderId", Value: ""},
			{Name: "NOTIFY_SMS_ORIGINATION_NUMBER", Setting: "smsOriginationNumber", Value: ""},
			{Name: "FOLLOWUP_RETRY_BASE", Value: "30s"},
		},
		Sends:          []string{"sms"},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name: "mail-feedback",
		Description: "Feeds SES bounces and complaints back into consent: a permanent bounce or a complaint turns the address's customer's " +
			"email consent off (sources ses-bounce, ses-complaint), once; transient bounces and unknown addresses change nothing.",
		Trigger: Trigger{Queue: &QueueTrigger{Queue: "mail-feedback", BatchSize: 10, WindowSeconds: 1}},
		Tables:  map[string]Access{"customers": ReadWrite},
		Queues:  map[string]Access{"mail-feedback": Consume},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       128,
	},
	{
		Name:        "customers-public",
		Description: "Unsubscribe links from messages: the GET asks to confirm and changes nothing; the POST (its button, or a mail client's one-click) turns the customer's consent for that channel off.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/u/{token}", Auth: Public},
			{Method: "POST", Path: "/v1/u/{token}", Auth: Public, Form: true},
		}},
		Tables: map[string]Access{"customers": ReadWrite},
		Keys:   map[string]Access{"unsubscribe": Verify},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "UNSUBSCRIBE_KEY", Key: "unsubscribe"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "vouchers-public",
		Description: "The customer's voucher page, opened from the link in the message that delivered a voucher or reminds of it: the voucher, the customer's others still usable, their codes and QR images.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/v/{token}", Auth: Public},
		}},
		// Customers: the names of the locations a voucher may be used at.
		Tables: map[string]Access{"rewards": Read, "customers": Read},
		Keys:   map[string]Access{"unsubscribe": Verify},
		Env: []EnvVar{
			{Name: "REWARDS_TABLE", Table: "rewards"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "UNSUBSCRIBE_KEY", Key: "unsubscribe"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "customers",
		Description: "Customers for staff and systems: profiles (one per person, found by phone or email), search (by phone, email, id or the start of a name), consent per channel, with time and source; the locations registry and staff directories; the webhook key for admins.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/customers", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/customers", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/customers/{customerId}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "PATCH", Path: "/v1/customers/{customerId}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/customers/{customerId}/consent", Auth: JWT, Roles: StaffAndSystem},
			{Method: "PUT", Path: "/v1/customers/{customerId}/consent/{channel}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/settings/webhook-key", Auth: JWT, Roles: AdminOnly},
			{Method: "POST", Path: "/v1/locations", Auth: JWT, Roles: AdminOnly},
			{Method: "GET", Path: "/v1/locations", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/locations/{locationId}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "PUT", Path: "/v1/locations/{locationId}", Auth: JWT, Roles: AdminOnly},
			{Method: "GET", Path: "/v1/locations/{locationId}/staff", Auth: JWT, Roles: Staff},
			{Method: "PUT", Path: "/v1/locations/{locationId}/staff/{staffId}", Auth: JWT, Roles: ManagerUp},
			{Method: "DELETE", Path: "/v1/locations/{locationId}/staff/{staffId}", Auth: JWT, Roles: ManagerUp},
		}},
		Tables: map[string]Access{"customers": ReadWrite},
		Keys:   map[string]Access{"webhook": Read, "cursor": Read},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "WEBHOOK_KEY", Key: "webhook"},
			{Name: "CURSOR_KEY", Key: "cursor"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "complaints-public",
		Description: "Complaint intake from customers (JSON and the hosted form) and their tracking view; a case, its timeline, its counters and its messages are one transaction.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/complaints", Auth: Public,
				Throttle: &Throttle{RatePerSecond: 10, Burst: 20}, Form: true},
			{Method: "GET", Path: "/v1/complaints/track/{trackingToken}", Auth: Public},
			{Method: "GET", Path: "/v1/c/{locationId}", Auth: Public},
		}},
		Tables: map[string]Access{"complaints": ReadWrite, "followups": ReadWrite, "customers": Read},
		Env: []EnvVar{
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "PUBLIC_BASE_URL", API: true},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "complaints-staff",
		Description: "Case handling for staff: intake from other channels, the queue, actions on cases, reports and settings.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/complaints/intake", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/complaints", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/complaints/{complaintId}", Auth: JWT, Roles: Staff},
			{Method: "POST", Path: "/v1/complaints/{complaintId}/actions", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/reports/complaints", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/settings/complaints", Auth: JWT, Roles: Staff},
			{Method: "PUT", Path: "/v1/settings/complaints", Auth: JWT, Roles: AdminOnly},
		}},
		Tables: map[string]Access{"complaints": ReadWrite, "followups": ReadWrite, "customers": Read, "loyalty": ReadWrite, "rewards": ReadWrite},
		Keys:   map[string]Access{"cursor": Read},
		Env: []EnvVar{
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "REWARDS_TABLE", Table: "rewards"},
			{Name: "PUBLIC_BASE_URL", API: true},
			{Name: "CURSOR_KEY", Key: "cursor"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "loyalty",
		Description: "The points ledger: earn and redeem (point-of-sale systems and the front desk), reverse (systems, managers), adjust (managers), balance and ledger (staff), members and the rules.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/loyalty/{customerId}/earn", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/loyalty/{customerId}/redeem", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/loyalty/{customerId}/reverse", Auth: JWT, Roles: []string{RoleSystem, RoleManager, RoleAdmin}},
			{Method: "POST", Path: "/v1/loyalty/{customerId}/adjust", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/loyalty/{customerId}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/loyalty/{customerId}/ledger", Auth: JWT, Roles: StaffAndSystem},
			{Method: "PUT", Path: "/v1/loyalty/{customerId}/member", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/settings/loyalty", Auth: JWT, Roles: Staff},
			{Method: "PUT", Path: "/v1/settings/loyalty", Auth: JWT, Roles: AdminOnly},
		}},
		// Customers are read to know where a customer belongs (the access policy).
		Tables: map[string]Access{"loyalty": ReadWrite, "followups": ReadWrite, "customers": Read},
		Keys:   map[string]Access{"cursor": Read},
		Env: []EnvVar{
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "CURSOR_KEY", Key: "cursor"},
		},
		TimeoutSeconds: 15,
		MemoryMB:       256,
	},
	{
		Name:        "rewards",
		Description: "The rewards catalogue (admins), rewards taken for points at the counter, and vouchers: issued by hand (managers), checked, redeemed once at a point of sale, reversed once when the bill is refunded, cancelled.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/rewards", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/rewards", Auth: JWT, Roles: AdminOnly},
			{Method: "PUT", Path: "/v1/rewards/{rewardId}", Auth: JWT, Roles: AdminOnly},
			{Method: "POST", Path: "/v1/loyalty/{customerId}/rewards/{rewardId}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/vouchers", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/vouchers/{code}", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/vouchers/{code}/redeem", Auth: JWT, Roles: StaffAndSystem},
			{Method: "POST", Path: "/v1/vouchers/{code}/reverse", Auth: JWT, Roles: []string{RoleSystem, RoleManager, RoleAdmin}},
			{Method: "POST", Path: "/v1/vouchers/{code}/cancel", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/customers/{customerId}/vouchers", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/reports/vouchers", Auth: JWT, Roles: ManagerUp},
		}},
		// Customers are read to know where a customer belongs (the access policy) and
		// the locations' zones (a take's KPI counters); loyalty for the points a take spends.
		Tables: map[string]Access{"rewards": ReadWrite, "loyalty": ReadWrite, "customers": Read},
		Env: []EnvVar{
			{Name: "REWARDS_TABLE", Table: "rewards"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
		},
		TimeoutSeconds: 15,
		MemoryMB:       256,
	},
	{
		Name:        "visits",
		Description: "Systems report visits and purchases: once per sourceId, they move the customer's figures, earn points and invite a post-service survey.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/visits", Auth: JWT, Roles: []string{RoleSystem, RoleManager, RoleAdmin}},
		}},
		Tables: map[string]Access{"customers": ReadWrite, "loyalty": ReadWrite, "surveys": ReadWrite, "followups": ReadWrite},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "PUBLIC_BASE_URL", API: true},
		},
		TimeoutSeconds: 15,
		MemoryMB:       256,
	},
	{
		Name:        "segments",
		Description: "Segments over customers' value figures, campaigns to them through follow-ups, and the value and win-back settings.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/segments", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/segments", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/segments/{segmentId}/customers", Auth: JWT, Roles: Staff},
			{Method: "POST", Path: "/v1/segments/{segmentId}/campaigns", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/settings/value", Auth: JWT, Roles: Staff},
			{Method: "PUT", Path: "/v1/settings/value", Auth: JWT, Roles: AdminOnly},
			{Method: "PUT", Path: "/v1/settings/value/win-back/{locationId}", Auth: JWT, Roles: ManagerUp},
		}},
		// Rewards: a campaign's vouchers (its catalogue reward read, each member's issue).
		Tables: map[string]Access{"customers": ReadWrite, "followups": ReadWrite, "surveys": Read, "rewards": ReadWrite},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "REWARDS_TABLE", Table: "rewards"},
		},
		TimeoutSeconds: 30,
		MemoryMB:       256,
	},
	{
		Name:        "timeline",
		Description: "A customer's history for staff and systems: visits, points, follow-ups, complaints and survey responses, newest first, read through key ranges and the domains' customer indexes.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/customers/{customerId}/timeline", Auth: JWT, Roles: StaffAndSystem},
		}},
		Tables: map[string]Access{"customers": Read, "loyalty": Read, "followups": Read, "complaints": Read, "surveys": Read},
		Keys:   map[string]Access{"cursor": Read},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "CURSOR_KEY", Key: "cursor"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name: "reports",
		Description: "The KPI and staff reports: survey, complaint, visit and loyalty figures per day, week or month and per staff member, " +
			"read from counters each domain keeps in its own table as things happen (shared/kpi): cost grows with days, never records.",
		Trigger: Trigger{Routes: []Route{
			{Method: "GET", Path: "/v1/reports/kpis", Auth: JWT, Roles: Staff},
			{Method: "GET", Path: "/v1/reports/staff", Auth: JWT, Roles: Staff},
		}},
		// One Query per table and location on its KPI partition; the customers table
		// also lists the registered locations (all-locations tokens).
		Tables: map[string]Access{"surveys": Read, "complaints": Read, "customers": Read, "loyalty": Read},
		Env: []EnvVar{
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "STAFF_REPORT_MIN_RESPONSES", Setting: "staffReportMinResponses", Value: "5"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
	{
		Name:        "customer-data",
		Description: "A customer's data across domains for managers: the merge of a duplicate, the personal-data export and the erasure.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/customers/{customerId}/merge", Auth: JWT, Roles: ManagerUp},
			{Method: "GET", Path: "/v1/customers/{customerId}/export", Auth: JWT, Roles: ManagerUp},
			{Method: "DELETE", Path: "/v1/customers/{customerId}", Auth: JWT, Roles: ManagerUp},
		}},
		Tables: map[string]Access{"customers": ReadWrite, "surveys": ReadWrite, "complaints": ReadWrite, "loyalty": ReadWrite, "followups": ReadWrite,
			"rewards": ReadWrite},
		Env: []EnvVar{
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "SURVEYS_TABLE", Table: "surveys"},
			{Name: "COMPLAINTS_TABLE", Table: "complaints"},
			{Name: "LOYALTY_TABLE", Table: "loyalty"},
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "REWARDS_TABLE", Table: "rewards"},
		},
		TimeoutSeconds: 30,
		MemoryMB:       512,
	},
	{
		Name:        "followups-staff",
		Description: "Staff and systems schedule, list and cancel follow-ups.",
		Trigger: Trigger{Routes: []Route{
			{Method: "POST", Path: "/v1/followups", Auth: JWT, Roles: StaffAndSystem},
			{Method: "GET", Path: "/v1/followups", Auth: JWT, Roles: StaffAndSystem},
			{Method: "DELETE", Path: "/v1/followups/{followupId}", Auth: JWT, Roles: StaffAndSystem},
		}},
		Tables: map[string]Access{"followups": ReadWrite, "customers": Read},
		Keys:   map[string]Access{"cursor": Read},
		Env: []EnvVar{
			{Name: "FOLLOWUPS_TABLE", Table: "followups"},
			{Name: "CUSTOMERS_TABLE", Table: "customers"},
			{Name: "CURSOR_KEY", Key: "cursor"},
			// Webhook addresses to loopback and private networks: "true" only in the
			// local runner; never a Setting, and the stack refuses any other value.
			{Name: "NOTIFY_WEBHOOK_ALLOW_PRIVATE", Value: "false"},
		},
		TimeoutSeconds: 10,
		MemoryMB:       256,
	},
}
