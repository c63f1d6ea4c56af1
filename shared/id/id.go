// Package id makes sortable, unguessable identifiers: 48 bits of Unix milliseconds
// then 80 random bits, written as 26 characters of Crockford base32, so IDs sort by
// creation time (IDs of one millisecond in random order).
//
// They are not ULIDs, though they hold the same bits: a ULID's text encodes 130 bits
// with the two spare bits first, so it starts with 0-7 (01M… in 2026); these encode
// the 128 bits from the first character and leave the spare bits last, so they start
// 06H… in 2026 and end in one of 0 4 8 C G M R W. A ULID library would misread their
// time, and its IDs would sort before every one made here. Stored keys depend on this
// order and on Time: loyalty ledger entries (E#<id>, newest first, and the timeline
// that merges them), survey responses read by ranges of Lowest, and the survey
// catalog's creation times. Switching to ULIDs would need all of those re-keyed, so
// the format stays and the name ULID is not used for it.
package id

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

// encoding is Crockford's base32 alphabet, which sorts in the same order as the bytes.
var encoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// New returns a 26-character ID for an event at t.
func New(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	_, _ = rand.Read(b[6:]) // crypto/rand never fails on supported platforms
	return encoding.EncodeToString(b[:])
}

// Token returns n random bytes as an unguessable URL-safe string (for links).
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return encoding.EncodeToString(b)
}

// Time is the creation time encoded in an ID made by New; false if it is not one.
func Time(s string) (time.Time, bool) {
	if len(s) != 26 {
		return time.Time{}, false
	}
	b, err := encoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return time.Time{}, false
	}
	ms := uint64(binary.BigEndian.Uint16(b[0:2]))<<32 | uint64(binary.BigEndian.Uint32(b[2:6]))
	return time.UnixMilli(int64(ms)).UTC(), true
}

// Lowest is the smallest ID New can make at t: IDs made at or after t sort at or
// above it, so it bounds a range of IDs by time.
func Lowest(t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	return encoding.EncodeToString(b[:])
}
