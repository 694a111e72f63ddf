#!/bin/sh
# PID 1 of an OpenStack stand-in guest, in its real root (the host's, read-only
# under a tmpfs overlay; guest-init.sh built it). Starts Debian's sshd from
# the VM kit (copied here by guest-init.sh) with this server's own host key
# and authorized keys, and
# prints the host key on the console as cloud-init does, so that a client can
# pin it from the console output.
set -u
cfg=/run/eve-vm

# sshd's privilege separation needs its user and an empty directory.
grep -q '^sshd:' /etc/passwd || echo 'sshd:x:101:65534::/run/sshd:/usr/sbin/nologin' >>/etc/passwd
mkdir -p /run/sshd
chmod 755 /run/sshd

cat >"$cfg/sshd_config" <<CONFIG
Port 22
HostKey $cfg/ssh_host_ed25519_key
AuthorizedKeysFile $cfg/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile /run/sshd.pid
PrintMotd no
Subsystem sftp internal-sftp
CONFIG

echo "-----BEGIN SSH HOST KEY KEYS-----"
cat "$cfg/ssh_host_ed25519_key.pub"
echo "-----END SSH HOST KEY KEYS-----"
echo "eve-guest: sshd starting on $(hostname), kernel $(uname -r)"
export LD_LIBRARY_PATH="$cfg/openssh/usr/lib/x86_64-linux-gnu"
exec "$cfg/openssh/usr/sbin/sshd" -D -e -r -f "$cfg/sshd_config"
