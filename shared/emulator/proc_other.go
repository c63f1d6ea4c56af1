//go:build !linux

package emulator

import "syscall"

// sysProcAttr puts the child in its own process group, so Stop can signal it and
// anything it spawns. Only Linux can also tie the child's life to this process.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// ownsListener cannot tell who holds a port outside Linux, so it trusts the probe.
func ownsListener(pid, port int) bool { return true }
