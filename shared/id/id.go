// Package id makes sortable, unguessable identifiers: 48 bits of milliseconds then
// 80 random bits, in Crockford base32 (the ULID layout), so IDs sort by creation time.
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
