package survey

// Key design of the "surveys" table (pk, sk; TTL attribute expiresAt).
//
//	pk                    sk                  item
//	SURVEY#<surveyId>     DEF                 the survey definition (current version)
//	SURVEY#<surveyId>     RESP#<responseId>   a response (records the version it answered)
//	INV#<token>           INV                 an invitation: open until used or expired
//	IDEM#<scope>#<key>    IDEM                an idempotency record (24 h, TTL)
//
// Access patterns:
//
//	a survey's definition               GetItem SURVEY#<id> / DEF
//	an invitation by its token          GetItem INV#<token> / INV
//	a survey's responses                Query pk = SURVEY#<id>, sk begins_with RESP#
//	submit a response                   TransactWriteItems: invitation open → used,
//	                                    response (new), follow-up (new) when the score is low,
//	                                    idempotency record → completed

func surveyPK(id string) string      { return "SURVEY#" + id }
func responseSK(id string) string    { return "RESP#" + id }
func invitationPK(tok string) string { return "INV#" + tok }

const (
	definitionSK = "DEF"
	invitationSK = "INV"
)
