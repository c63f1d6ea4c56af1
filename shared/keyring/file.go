package keyring

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// keyBytes is the size of a key made at random: 256 bits, as HMAC-SHA256 wants.
const keyBytes = 32

// readKeyFile reads a local key file: one hex key per line, the current first (a
// secret's previous version, if any, second). A missing file is made at random, once,
// atomically: two processes starting together end up with the same key. It returns
// when the file was last written, the local stand-in for the version's creation date.
func readKeyFile(path string) (keys [][]byte, written time.Time, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKeyFile(path); err != nil {
			return nil, time.Time{}, err
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("key file %s: %w", path, err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := DecodeKey(line)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("key file %s: %w", path, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, time.Time{}, fmt.Errorf("key file %s holds no key", path)
	}
	if st, err := os.Stat(path); err == nil {
		written = st.ModTime().UTC()
	}
	return keys, written, nil
}

// createKeyFile writes a random key to a temporary file and links it into place, which
// fails if another process got there first (its key is then the one).
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("key directory %s: %w", dir, err)
	}
	key := make([]byte, keyBytes)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}

// DecodeKey reads a hex key of at least 128 bits, as key files and secrets hold them.
func DecodeKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("a key must be hex (e.g. openssl rand -hex 32)")
	}
	if len(k) < 16 {
		return nil, fmt.Errorf("a key must be at least 16 bytes, not %d", len(k))
	}
	return k, nil
}
