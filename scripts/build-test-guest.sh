#!/usr/bin/env bash
# Builds GenOS's tiny test guest from Debian packages, offline except for Debian's archive:
#   vmlinuz      the Debian cloud kernel (8250 serial and VGA console built in; virtio = modules)
#   initrd.gz    busybox-static + /init: loads the virtio/IDE/ACPI modules, mounts proc/sys/dev,
#                prints GENOS-TEST-GUEST-READY on the serial console and tty0, runs a respawning
#                shell on ttyS0 (and tty1); with root=/dev/vda it switches to the disk below first
#   disk.qcow2   64 MiB, one ext4 file system (no partition table) holding busybox, the same
#                stage-2 script and a marker file /GENOS-DISK-MARKER (boot: kernel + initrd +
#                root=/dev/vda on virtio-blk)
#   guest.iso    the kernel + initrd behind ISOLINUX, made hybrid: it boots as a CD-ROM and,
#   boot.qcow2   converted to qcow2, as a BIOS-bootable hard disk (needs genisoimage; skipped
#                with a warning without it)
#   guest.json   the manifest tests read (paths, cmdlines, markers, versions)
#
# Usage: scripts/build-test-guest.sh [OUT_DIR]        (default: <repo>/.cache/test-guest)
# Needs: apt-get + dpkg (Debian), cpio, gzip, mkfs.ext4 (e2fsprogs >= 1.43 for -d), qemu-img,
# flock; genisoimage for the ISO. ISOLINUX and isohybrid come from their .debs, not installed.
# No root: the initramfs has no device nodes (/init mounts devtmpfs before it opens the
# console) and the disk is filled by `mkfs.ext4 -d`, never mounted.
# Cached: when the outputs exist and the stamp (this script's hash + the kernel choice) matches,
# nothing is done. Concurrent runs serialise on a lock file, and the later ones find the cache.
set -euo pipefail

T0=$(date +%s%N)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$REPO/.cache/test-guest}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

READY_MARKER=GENOS-TEST-GUEST-READY
DISK_MARKER_FILE=/GENOS-DISK-MARKER
DISK_MARKER_TEXT=genos-test-disk-ok
DISK_SIZE_MIB=64
# The kernel meta-package to follow; GENOS_TEST_GUEST_KERNEL_PKG pins an exact package instead.
KERNEL_META=linux-image-cloud-amd64
KERNEL_PIN=${GENOS_TEST_GUEST_KERNEL_PKG:-}
# Modules the guest loads, in any order (dependencies are resolved from each .ko's modinfo):
# virtio disk/net/console/rng/balloon, virtio-scsi and IDE (ata_piix) as disk fallbacks, and the
# ACPI power button + evdev so busybox acpid can honour an ACPI power-down.
MODULES=(virtio_pci virtio_blk virtio_net virtio_console virtio-rng virtio_balloon virtio_scsi
  sd_mod ata_piix button evdev)

say() { printf '[test-guest] %s\n' "$*"; }
die() {
  printf '[test-guest] error: %s\n' "$*" >&2
  exit 1
}
human() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }

for tool in apt-get dpkg-deb cpio gzip mkfs.ext4 qemu-img flock sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing; on Debian: apt-get install -y \
apt dpkg cpio gzip e2fsprogs qemu-utils util-linux coreutils"
done

HAVE_ISO_TOOL=$(command -v genisoimage >/dev/null && echo yes || echo no)
STAMP=$( (
  sha256sum <"${BASH_SOURCE[0]}"
  echo "kernel-pin=$KERNEL_PIN busybox-deb=${GENOS_TEST_GUEST_BUSYBOX_DEB:-} iso=$HAVE_ISO_TOOL"
) | sha256sum | cut -c1-64)

report() {
  local f
  for f in vmlinuz initrd.gz disk.qcow2 guest.iso boot.qcow2; do
    [ -f "$OUT/$f" ] && say "  $f: $(human "$(stat -c %s "$OUT/$f")")"
  done
  say "  manifest: $OUT/guest.json"
}

up_to_date() {
  [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] &&
    [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/initrd.gz" ] && [ -s "$OUT/disk.qcow2" ] &&
    [ -s "$OUT/guest.json" ]
}

# Serialise concurrent builds (parallel test workers): the lock dies with the process.
exec 9>"$OUT/.build.lock"
flock 9
if up_to_date; then
  say "up to date in $OUT (stamp ${STAMP:0:12})"
  report
  exit 0
fi

WORK="$OUT/work"
DEBS="$OUT/debs" # downloaded .debs are kept, so a rebuild after a script change is offline
rm -rf "$WORK"
mkdir -p "$WORK" "$DEBS"
trap 'rm -rf "$WORK"' EXIT

# --- the packages ------------------------------------------------------------------------------
pick_kernel_pkg() {
  if [ -n "$KERNEL_PIN" ]; then
    echo "$KERNEL_PIN"
    return
  fi
  local pkg
  pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
    awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
  if [ -z "$pkg" ]; then
    # No meta-package in the lists: the newest signed 6.1 cloud image that apt-cache knows.
    pkg=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-cloud-amd64$' 2>/dev/null |
      awk '{ print $1 }' | sort -V | tail -n1)
  fi
  if [ -z "$pkg" ]; then
    # No apt lists at all: fall back to a .deb we downloaded before.
    pkg=$(find "$DEBS" -name 'linux-image-*-cloud-amd64_*.deb' -printf '%f\n' 2>/dev/null |
      sed 's/_.*//' | sort -V | tail -n1)
  fi
  [ -n "$pkg" ] || die "no linux-image-*-cloud-amd64 package known to apt; run apt-get update"
  echo "$pkg"
}

# Prints the path of the .deb for package $1, downloading it into $DEBS when not there yet.
fetch_deb() {
  local pkg=$1 deb
  deb=$(find "$DEBS" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n1)
  if [ -z "$deb" ]; then
    say "downloading $pkg from the Debian archive" >&2
    # As root, apt warns that its _apt user cannot write here; the download still works.
    (cd "$DEBS" && apt-get download -q "$pkg" 2>&1 |
      { grep -v 'unsandboxed as root' >&2 || true; }) ||
      die "apt-get download $pkg failed (is the Debian archive reachable? apt-get update?)"
    deb=$(find "$DEBS" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n1)
    [ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
  fi
  echo "$deb"
}

KPKG=$(pick_kernel_pkg)
KDEB=$(fetch_deb "$KPKG")
say "kernel package: $(basename "$KDEB")"
dpkg-deb -x "$KDEB" "$WORK/kpkg"
VMLINUZ=$(find "$WORK/kpkg/boot" -name 'vmlinuz-*' | head -n1)
[ -n "$VMLINUZ" ] || die "$KDEB has no boot/vmlinuz-*"
KVER=${VMLINUZ##*/vmlinuz-}
KMODS="$WORK/kpkg/lib/modules/$KVER/kernel"

# busybox-static's binary: the installed one when the package is installed, else from its .deb
# (GENOS_TEST_GUEST_BUSYBOX_DEB=1 forces the .deb, to test that path).
if [ -z "${GENOS_TEST_GUEST_BUSYBOX_DEB:-}" ] &&
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' &&
  [ -x /bin/busybox ]; then
  BUSYBOX=/bin/busybox
  BBVER=$(dpkg-query -W -f='${Version}' busybox-static)
else
  BBDEB=$(fetch_deb busybox-static)
  dpkg-deb -x "$BBDEB" "$WORK/bbpkg"
  BUSYBOX="$WORK/bbpkg/bin/busybox"
  BBVER=$(dpkg-deb -f "$BBDEB" Version)
fi
say "busybox: $BUSYBOX ($BBVER)"

# --- modules: resolve dependencies from .modinfo, emit a load order -----------------------------
declare -A MOD_PATH=() SEEN=()
while IFS= read -r ko; do
  name=$(basename "$ko" .ko)
  MOD_PATH[$name]=$ko
  MOD_PATH[${name//-/_}]=$ko
done < <(find "$KMODS" -name '*.ko')
ORDER=()
add_module() { # depth-first: dependencies before the module itself
  local name=${1//-/_} ko dep deps
  [ -n "${SEEN[$name]:-}" ] && return
  SEEN[$name]=1
  ko=${MOD_PATH[$name]:-}
  [ -n "$ko" ] || die "module $1 is not in $KPKG"
  deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -n1)
  for dep in ${deps//,/ }; do add_module "$dep"; done
  ORDER+=("$ko")
}
for m in "${MODULES[@]}"; do add_module "$m"; done

# --- the shared stage-2 script (initramfs and disk root) ----------------------------------------
stage2() {
  cat <<EOF
#!/bin/sh
# GenOS test guest, stage 2: runs as PID 1 on the initramfs or, after switch_root, on the disk.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
cmdline=\$(cat /proc/cmdline)
# On the disk root the applets are not installed yet (on the initramfs this is a no-op).
/bin/busybox --install -s 2>/dev/null
# ACPI power button -> clean power-off, unless the cmdline says genos.acpi=ignore (to test the
# host's fallback when a guest does not react). busybox acpid runs <dir>/PWRF/00000080 for it.
case " \$cmdline " in
*" genos.acpi=ignore "*) ;;
*)
  mkdir -p /etc/acpi/PWRF
  printf '#!/bin/sh\necho GENOS-TEST-GUEST-POWEROFF >/dev/ttyS0\nsync\npoweroff -f\n' \\
    >/etc/acpi/PWRF/00000080
  chmod +x /etc/acpi/PWRF/00000080
  # In the foreground with logs to stderr (-d): it then needs no /var/log or /var/run.
  acpid -d -c /etc/acpi >/dev/null 2>&1 &
  ;;
esac
# With a NIC, use QEMU user-mode networking's fixed addresses (no DHCP: fast and deterministic)
# and serve one page on port 8080, so host port-forward tests have something to reach.
if [ -e /sys/class/net/eth0 ]; then
  ip link set lo up
  ip link set eth0 up
  ip addr add 10.0.2.15/24 dev eth0
  ip route add default via 10.0.2.2
  mkdir -p /srv/www
  echo GENOS-TEST-GUEST-HTTP >/srv/www/index.html
  httpd -p 8080 -h /srv/www
fi
echo $READY_MARKER >/dev/tty0 2>/dev/null
echo $READY_MARKER >/dev/ttyS0 2>/dev/null
# A shell on tty1 (the VGA console, for display tests) and one on ttyS0, both respawning. The
# redirects after setsid make each tty the shell's controlling terminal (job control, ^C).
(while :; do setsid sh -c 'exec sh -i </dev/tty1 >/dev/tty1 2>&1'; sleep 1; done) &
while :; do
  setsid sh -c 'exec sh -i </dev/ttyS0 >/dev/ttyS0 2>&1'
  sleep 1
done
EOF
}

# --- initramfs ---------------------------------------------------------------------------------
IRD="$WORK/initramfs"
mkdir -p "$IRD"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc,newroot,lib/modules}
cp "$BUSYBOX" "$IRD/bin/busybox"
: >"$IRD/lib/modules/load-order"
for ko in "${ORDER[@]}"; do
  cp "$ko" "$IRD/lib/modules/"
  basename "$ko" >>"$IRD/lib/modules/load-order"
done
stage2 >"$IRD/sbin/genos-stage2"
cat >"$IRD/init" <<'EOF'
#!/bin/busybox sh
# GenOS test guest, stage 1. The kernel starts us with no stdio (the initramfs has no
# /dev/console node, so it needs no root to build): mount devtmpfs first, then open the console.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done </lib/modules/load-order
root=
for arg in $(cat /proc/cmdline); do
  case "$arg" in root=*) root=${arg#root=} ;; esac
done
if [ -n "$root" ]; then
  # Disk variant: wait for the device (virtio probes asynchronously), mount it, switch to it.
  i=0
  while [ ! -b "$root" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  if mount -t ext4 -o rw "$root" /newroot; then
    mount --move /dev /newroot/dev
    mount --move /proc /newroot/proc
    mount --move /sys /newroot/sys
    exec switch_root /newroot /sbin/genos-stage2
  fi
  echo "GENOS-TEST-GUEST: cannot mount $root; staying on the initramfs"
fi
exec /sbin/genos-stage2
EOF
chmod +x "$IRD/init" "$IRD/sbin/genos-stage2" "$IRD/bin/busybox"
# Sorted names, owner root, fixed mtimes: the same inputs give the same initrd.
find "$IRD" -exec touch -h -d @0 {} +
(cd "$IRD" && find . -print0 | LC_ALL=C sort -z |
  cpio --null -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n >"$WORK/initrd.gz"

# --- disk: ext4 filled by mkfs.ext4 -d, then converted to qcow2 ---------------------------------
ROOT="$WORK/diskroot"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
stage2 >"$ROOT/sbin/genos-stage2"
chmod +x "$ROOT/sbin/genos-stage2" "$ROOT/bin/busybox"
echo "$DISK_MARKER_TEXT" >"$ROOT$DISK_MARKER_FILE"
mkfs.ext4 -q -F -L genos-test -E root_owner=0:0 -d "$ROOT" "$WORK/disk.raw" "${DISK_SIZE_MIB}M" \
  >/dev/null
qemu-img convert -q -f raw -O qcow2 "$WORK/disk.raw" "$WORK/disk.qcow2"

# --- bootable ISO (hybrid: CD-ROM and hard disk) ------------------------------------------------
CMDLINE="console=tty0 console=ttyS0"
rm -f "$OUT/guest.iso" "$OUT/boot.qcow2"
ISO_JSON=null
BOOT_JSON=null
if [ "$HAVE_ISO_TOOL" = yes ]; then
  for pkg in isolinux syslinux-common syslinux-utils; do
    dpkg-deb -x "$(fetch_deb "$pkg")" "$WORK/syslinux"
  done
  SL="$WORK/syslinux"
  ISO="$WORK/iso"
  mkdir -p "$ISO/isolinux"
  cp "$SL/usr/lib/ISOLINUX/isolinux.bin" "$SL/usr/lib/syslinux/modules/bios/ldlinux.c32" \
    "$ISO/isolinux/"
  cp "$VMLINUZ" "$ISO/vmlinuz"
  cp "$WORK/initrd.gz" "$ISO/initrd.gz"
  printf '%s\n' 'DEFAULT genos' 'PROMPT 0' 'TIMEOUT 0' 'LABEL genos' '  KERNEL /vmlinuz' \
    '  INITRD /initrd.gz' "  APPEND $CMDLINE" >"$ISO/isolinux/isolinux.cfg"
  genisoimage -quiet -o "$WORK/guest.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table -J -R -V GENOS_TEST_GUEST "$ISO"
  # An MBR + partition table in front of the ISO: SeaBIOS then boots it from a disk too.
  "$SL/usr/bin/isohybrid" "$WORK/guest.iso"
  qemu-img convert -q -f raw -O qcow2 "$WORK/guest.iso" "$WORK/boot.qcow2"
  ISO_JSON="\"$OUT/guest.iso\""
  BOOT_JSON="\"$OUT/boot.qcow2\""
else
  say "warning: genisoimage not found; no bootable ISO/disk (Debian: apt-get install genisoimage)"
fi

# --- publish -----------------------------------------------------------------------------------
cp "$VMLINUZ" "$WORK/vmlinuz"
for f in vmlinuz initrd.gz disk.qcow2 guest.iso boot.qcow2; do
  [ -f "$WORK/$f" ] && mv -f "$WORK/$f" "$OUT/$f"
done
cat >"$OUT/guest.json.tmp" <<EOF
{
  "kernel": "$OUT/vmlinuz",
  "initrd": "$OUT/initrd.gz",
  "disk": "$OUT/disk.qcow2",
  "diskFormat": "qcow2",
  "diskSizeBytes": $((DISK_SIZE_MIB * 1024 * 1024)),
  "cmdline": "$CMDLINE",
  "diskCmdline": "$CMDLINE root=/dev/vda",
  "readyMarker": "$READY_MARKER",
  "diskMarkerFile": "$DISK_MARKER_FILE",
  "diskMarkerText": "$DISK_MARKER_TEXT",
  "iso": $ISO_JSON,
  "bootDisk": $BOOT_JSON,
  "bootDiskFormat": "qcow2",
  "kernelPackage": "$(basename "$KDEB")",
  "kernelVersion": "$KVER",
  "busyboxVersion": "$BBVER",
  "modules": [$(for ko in "${ORDER[@]}"; do printf '"%s",' "$(basename "$ko" .ko)"; done |
    sed 's/,$//')],
  "stamp": "$STAMP"
}
EOF
mv -f "$OUT/guest.json.tmp" "$OUT/guest.json"
echo "$STAMP" >"$OUT/stamp"
say "built in $((($(date +%s%N) - T0) / 1000000))ms into $OUT (kernel $KVER, busybox $BBVER)"
report
