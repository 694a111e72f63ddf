#!/usr/bin/env bash
# Prepares, once, what the OpenStack stand-in needs to boot its servers as real
# virtual machines, without installing anything system-wide but qemu:
#   - Debian's kernel (linux-image-*-amd64), downloaded and unpacked: installing
#     it would pull initramfs-tools, udev and a systemd upgrade onto the host;
#   - Debian's sshd (openssh-server + libwrap0), unpacked: installing it would
#     start an sshd on the host; the guest runs it from this folder;
#   - an initramfs: busybox, the few modules the guest needs (virtio, 9p,
#     overlay) and guest-init.sh as /init.
# The guest's root is the host's, shared read-only over 9p (see guest-init.sh).
# Prints the kit's folder. Re-running it is cheap: a finished kit is reused.
#
# Usage: scripts/prepare-vm-kit.sh [KIT_DIR]
# KIT_DIR defaults to $EVE_VM_KIT_DIR, else ~/.cache/eve/vm-kit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kit=${1:-${EVE_VM_KIT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eve/vm-kit}}
# Bump when the kit's layout or guest-init.sh changes, so old kits are rebuilt.
layout=3
stamp_input="$layout $(sha256sum "$here/vm-kit/guest-init.sh" "$here/vm-kit/guest-stage2.sh" | cut -c1-16 | tr '\n' ' ')"

if [ -f "$kit/READY" ] && [ "$(cat "$kit/READY")" = "$stamp_input" ]; then
  echo "$kit"
  exit 0
fi

command -v qemu-system-x86_64 >/dev/null || {
  echo "qemu-system-x86_64 is missing: apt-get install -y --no-install-recommends qemu-system-x86" >&2
  exit 1
}
# The initramfs has no libraries: busybox must be the static one (busybox-static).
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "busybox is missing: apt-get install -y busybox-static" >&2; exit 1; }

mkdir -p "$kit"
work=$(mktemp -d "$kit/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The kernel package linux-image-amd64 points at today (e.g. linux-image-6.1.0-57-amd64).
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}'; }
kernel_pkg=$(kernel_pkg)
if [ -z "$kernel_pkg" ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  kernel_pkg=$(kernel_pkg)
fi
if [ -z "$kernel_pkg" ]; then
  echo "apt cannot find linux-image-amd64: run apt-get update first" >&2
  exit 1
fi
# The downloaded packages are kept, so that changing the guest scripts rebuilds in seconds.
mkdir -p "$kit/debs"
for pkg in "$kernel_pkg" openssh-server libwrap0; do
  ls "$kit/debs/${pkg}_"*.deb >/dev/null 2>&1 && continue
  (cd "$kit/debs" && apt-get download "$pkg" >/dev/null 2>"$work/download.log") || {
    cat "$work/download.log" >&2
    exit 1
  }
done
mkdir -p "$work/root"
for pkg in "$kernel_pkg" openssh-server libwrap0; do
  dpkg-deb -x "$(ls "$kit/debs/${pkg}_"*.deb | tail -n1)" "$work/root"
done

release=$(ls "$work/root/lib/modules")
moddir="$work/root/lib/modules/$release/kernel"

# The initramfs: busybox, the modules in load order, the init script.
initrd="$work/initrd"
mkdir -p "$initrd/bin" "$initrd/lib/modules" "$initrd/proc" "$initrd/sys" "$initrd/dev" "$initrd/newroot" "$initrd/lower" "$initrd/upper" "$initrd/config"
cp "$busybox" "$initrd/bin/busybox"
# Order matters: each module after the ones it depends on (modinfo -F depends).
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net virtio-rng 9pnet 9pnet_virtio netfs fscache 9p overlay"
: >"$initrd/lib/modules/order"
for m in $modules; do
  f=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
  [ -n "$f" ] || { echo "module $m not found in $kernel_pkg" >&2; exit 1; }
  case "$f" in *.xz) xz -dc "$f" >"$initrd/lib/modules/$m.ko" ;; *) cp "$f" "$initrd/lib/modules/$m.ko" ;; esac
  echo "$m" >>"$initrd/lib/modules/order"
done
cp "$here/vm-kit/guest-init.sh" "$initrd/init"
cp "$here/vm-kit/guest-stage2.sh" "$initrd/stage2.sh"
chmod 755 "$initrd/init" "$initrd/stage2.sh"
(cd "$initrd" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initramfs.img")

# Swap the finished kit in place.
rm -rf "$kit/openssh" "$kit/vmlinuz" "$kit/initramfs.img" "$kit/READY"
mkdir -p "$kit/openssh"
cp -a "$work/root/usr" "$kit/openssh/"
rm -rf "$kit/openssh/usr/share/doc" "$kit/openssh/usr/share/man"
cp "$work/root/boot/vmlinuz-$release" "$kit/vmlinuz"
mv "$work/initramfs.img" "$kit/initramfs.img"
echo "$kernel_pkg" >"$kit/KERNEL"
echo "$stamp_input" >"$kit/READY"
echo "$kit"
