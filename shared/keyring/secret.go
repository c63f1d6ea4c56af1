package keyring

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// SecretTTL is how long a process keeps a secret before reading it again: a rotation
// reaches every warm function within it.
const SecretTTL = 5 * time.Minute

// SecretVersions are what a secret holds: its current key, the previous one (nil when
// there is none) and when the current one was made.
type SecretVersions struct {
	Current, Previous []byte
	Since             time.Time
}

// SecretKeeper is a service that keeps a secret's versions: Secrets Manager
// (keyring/secrets).
type SecretKeeper interface {
	Read(ctx context.Context) (SecretVersions, error)
}

// Secret is a shared key that rotates: its current version and, after a rotation, the
// previous one. In AWS a service keeps it (a Secrets Manager secret: keyring/secrets);
// locally it is a key file (the current key on its first line, the previous on its
// second).
type Secret struct {
	kept SecretKeeper
	ttl  time.Duration
	now  func() time.Time

	mu     sync.Mutex
	cached *SecretVersions
	readAt time.Time
}

// NewSecret reads a secret key's reference, as the wiring sets it: "file:<path>" or a
// secret that keeper recognises (keyring/secrets: a Secrets Manager secret ARN), nil
// where only key files are expected. A process reads the secret at most once per ttl
// (0: on every call). It does no I/O.
func NewSecret(ref string, keeper func(ref string) (SecretKeeper, error), ttl time.Duration) (*Secret, error) {
	s := &Secret{ttl: ttl, now: time.Now}
	switch {
	case strings.HasPrefix(ref, filePrefix) && len(ref) > len(filePrefix):
		s.kept = keyFile(strings.TrimPrefix(ref, filePrefix))
	case keeper == nil:
		return nil, fmt.Errorf("secret reference %q: want file:<path> (this function has no key service)", ref)
	default:
		kept, err := keeper(ref)
		if err != nil {
			return nil, fmt.Errorf("secret reference %q: %w", ref, err)
		}
		s.kept = kept
	}
	return s, nil
}

// Versions are the current key, the previous one (nil when there is none) and when the
// current one was made. A failed refresh keeps serving what the process read last, and
// is tried again on the next call.
func (s *Secret) Versions(ctx context.Context) (current, previous []byte, since time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached == nil || s.ttl <= 0 || s.now().Sub(s.readAt) >= s.ttl {
		v, err := s.kept.Read(ctx)
		switch {
		case err == nil:
			s.cached, s.readAt = &v, s.now()
		case s.cached != nil && s.ttl > 0:
			slog.WarnContext(ctx, "signing secret not refreshed; keeping the one read before", "error", err.Error())
		default:
			return nil, nil, time.Time{}, err
		}
	}
	return s.cached.Current, s.cached.Previous, s.cached.Since, nil
}

// keyFile is a secret kept in a local key file.
type keyFile string

func (path keyFile) Read(context.Context) (SecretVersions, error) {
	keys, written, err := readKeyFile(string(path))
	if err != nil {
		return SecretVersions{}, err
	}
	v := SecretVersions{Current: keys[0], Since: written}
	if len(keys) > 1 {
		v.Previous = keys[1]
	}
	return v, nil
}
