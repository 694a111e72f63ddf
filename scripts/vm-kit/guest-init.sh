#!/bin/busybox sh
# /init of an OpenStack stand-in guest (runs from the initramfs as PID 1).
# Builds the guest's root from the host's root filesystem, shared read-only
# over 9p (tag hostroot), under a tmpfs overlay so the guest can write without
# touching the host; copies this server's own files (host key, authorized
# keys, hostname: 9p tag evecfg) into it; brings the network up on qemu's user
# network; then hands over to stage2.sh inside the new root, which runs sshd.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
  echo "eve-guest: $*"
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r module; do
  insmod "/lib/modules/$module.ko" || fail "cannot load module $module"
done </lib/modules/order

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower || fail "cannot mount the host root"
mount -t tmpfs -o mode=755 tmpfs /upper || fail "cannot mount the overlay's tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot || fail "cannot mount the overlay"
mount -t 9p -o trans=virtio,version=9p2000.L,ro evecfg /config || fail "cannot mount the server's configuration"

# The host's /run and /tmp mean nothing in the guest: fresh ones. root's home
# too, as on a fresh cloud image: the host's dotfiles (and keys) stay out.
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=700 tmpfs /newroot/root
mkdir -p /newroot/run/eve-vm
cp /config/* /newroot/run/eve-vm/ || fail "cannot copy the server's configuration"
cp /stage2.sh /newroot/run/eve-vm/stage2.sh
# sshd comes from the kit, which may live in the root home hidden below.
cp -a "/lower$(cat /config/kit)/openssh" /newroot/run/eve-vm/openssh || fail "cannot copy sshd from the kit"
chmod 600 /newroot/run/eve-vm/ssh_host_ed25519_key
umount /config

hostname "$(cat /newroot/run/eve-vm/hostname)"
ip link set lo up
ip link set eth0 up || fail "no network interface"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
mkdir -p /newroot/dev/pts
mount -t devpts -o mode=620,ptmxmode=666 devpts /newroot/dev/pts
exec switch_root /newroot /bin/sh /run/eve-vm/stage2.sh
