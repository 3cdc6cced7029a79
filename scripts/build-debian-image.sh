#!/usr/bin/env bash
# Builds a bootable Debian 12 (bookworm) cloud image from Debian's package archive alone, for
# machines that can reach a package mirror but no image download site:
#   debian-12-genos-amd64.qcow2   4 GiB virtual, zstd-compressed qcow2; BIOS (SeaBIOS) boot:
#       MBR (syslinux mbr.bin) -> partition 1: FAT, label GENOS-BOOT, syslinux + kernel + initrd
#       (mounted at /boot in the guest) -> partition 2: ext4, label genos-root, the root (root=UUID)
#       Packages: minbase, systemd-sysv, linux-image-cloud-amd64, cloud-init (datasources NoCloud,
#       ConfigDrive, None), cloud-guest-utils (growpart), openssh-server, sudo, ifupdown, dbus,
#       netbase, iproute2, ca-certificates. Kernel console: tty0 and ttyS0,115200 (ttyS0 last, so
#       it is /dev/console). No root password, empty machine-id, no SSH host keys (made on first
#       boot), apt sources at deb.debian.org.
#   debian-image.json   the manifest tests read (path, sizes, sha256, kernel, cmdline, UUIDs)
#
# Usage: sudo scripts/build-debian-image.sh [--check] [OUT_DIR]  (default: <repo>/.cache/debian-image)
#   --check  exit 0 when OUT_DIR holds a current image, 3 when a build is due (needs no root)
# Env:   GENOS_DEBIAN_MIRROR (default http://deb.debian.org/debian) and GENOS_DEBIAN_SECURITY
#        (default http://deb.debian.org/debian-security): where packages come from while building;
#        the image's own apt sources always point at deb.debian.org.
# Needs: root (debootstrap creates device nodes and chroots; it mounts /proc in the target when
# it may and carries on when it may not), debootstrap, mtools, dosfstools, syslinux,
# syslinux-common, fdisk (sfdisk), e2fsprogs >= 1.43 (mke2fs -d), qemu-utils, flock.
# The disk is assembled from files: nothing is mounted and no loop device is used.
# Cached: when the outputs exist and the stamp (this script's hash + the mirrors) matches, nothing
# is done. Concurrent runs serialise on a lock file. Downloaded .debs are kept in OUT_DIR/debs,
# so a rebuild after a script change needs the network only for what changed.
set -euo pipefail
trap 'printf "[debian-image] error: line %s failed: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

T0=$(date +%s%N)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHECK=0
case "${1:-}" in
  --check)
    CHECK=1
    shift
    ;;
  -h | --help)
    sed -n '2,/^set -euo pipefail/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  -*)
    echo "unknown option: $1 (see --help)" >&2
    exit 2
    ;;
esac
OUT=${1:-$REPO/.cache/debian-image}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SUITE=bookworm
MIRROR=${GENOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${GENOS_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
IMAGE_NAME=debian-12-genos-amd64.qcow2
DISK_MIB=4096
BOOT_START_MIB=1
BOOT_MIB=256 # room for two kernels + initrds while an upgrade runs
ROOT_START_MIB=$((BOOT_START_MIB + BOOT_MIB))
ROOT_MIB=$((DISK_MIB - ROOT_START_MIB))
BOOT_LABEL=GENOS-BOOT
ROOT_LABEL=genos-root
CONSOLE_ARGS="console=tty0 console=ttyS0,115200"
PACKAGES=(systemd-sysv udev dbus linux-image-cloud-amd64 initramfs-tools cloud-init
  cloud-guest-utils fdisk e2fsprogs openssh-server sudo ifupdown isc-dhcp-client netbase
  iproute2 ca-certificates)
# initramfs-tools' default (MODULES=most) takes every disk controller driver; these are checked
# after the build, as without them the root disk of a VM is never found.
INITRD_MODULES=(virtio_pci virtio_blk virtio_scsi ata_piix sd_mod ext4)

say() { printf '[debian-image] %s\n' "$*"; }
die() {
  printf '[debian-image] error: %s\n' "$*" >&2
  exit 1
}
human() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

STAMP=$( (
  sha256sum <"${BASH_SOURCE[0]}"
  echo "mirror=$MIRROR security=$SECURITY"
) | sha256sum | cut -c1-64)

up_to_date() {
  [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$STAMP" ] &&
    [ -s "$OUT/$IMAGE_NAME" ] && [ -s "$OUT/debian-image.json" ]
}

report() {
  say "  image: $OUT/$IMAGE_NAME ($(human "$(stat -c %s "$OUT/$IMAGE_NAME")"), virtual $((DISK_MIB / 1024)) GiB)"
  say "  manifest: $OUT/debian-image.json"
}

# The cached case needs neither root nor the tools: tests call this script every time.
if [ "$CHECK" -eq 1 ]; then
  up_to_date && exit 0
  exit 3
fi
if up_to_date; then
  say "up to date in $OUT (stamp ${STAMP:0:12})"
  report
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0): debootstrap must create device nodes \
and chroot into the new system. Nothing is mounted on the host and no loop device is used."
for tool in debootstrap chroot mkfs.vfat mcopy mdir syslinux sfdisk mke2fs qemu-img flock \
  sha256sum dd truncate; do
  command -v "$tool" >/dev/null || die "$tool is missing; on Debian: apt-get install -y \
debootstrap mtools dosfstools syslinux syslinux-common fdisk e2fsprogs qemu-utils util-linux \
coreutils"
done
MBR_BIN=/usr/lib/syslinux/mbr/mbr.bin
[ -f "$MBR_BIN" ] || die "$MBR_BIN is missing; on Debian: apt-get install -y syslinux-common"

# Serialise concurrent builds: the lock dies with the process.
exec 9>"$OUT/.build.lock"
flock 9
if up_to_date; then
  say "up to date in $OUT (stamp ${STAMP:0:12}; built by a concurrent run)"
  report
  exit 0
fi

WORK="$OUT/work"
ROOT="$WORK/root"
DEBS="$OUT/debs"
# debootstrap mounts /proc (and /sys) in the target and unmounts them when it exits; a killed
# build can leave them behind. Those are released first, and --one-file-system makes rm refuse,
# rather than descend, should anything else still be mounted there.
cleanup() {
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK" 2>/dev/null || say "warning: could not remove $WORK"
}
cleanup
mkdir -p "$WORK" "$DEBS"
trap cleanup EXIT

in_root() {
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# --- 1. the base system --------------------------------------------------------------------------
t=$(date +%s%N)
say "debootstrap $SUITE (minbase) from $MIRROR"
debootstrap --variant=minbase --cache-dir="$DEBS" "$SUITE" "$ROOT" "$MIRROR" \
  >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2
  die "debootstrap failed (log above; is $MIRROR reachable? run as root?)"
}
say "base system in $(ms_since "$t")ms"

# --- 2. packages -----------------------------------------------------------------------------------
t=$(date +%s%N)
# No docs, man pages or translations, now and for packages installed later in the guest
# (copyright files stay, as Debian asks).
cat >"$ROOT/etc/dpkg/dpkg.cfg.d/01-genos-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
# debootstrap installed its packages before the exclusions existed.
find "$ROOT/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
rm -rf "$ROOT"/usr/share/{man,info,lintian}/*
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
# Services installed in the chroot must not start on the build host.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
write_sources() {
  rm -f "$ROOT/etc/apt/sources.list"
  cat >"$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $1
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $2
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}
write_sources "$MIRROR" "$SECURITY"

# Partition identities: the kernel cmdline and fstab name them, so they are fixed before the
# kernel is installed (initramfs-tools reads fstab to pick the root file system's fsck).
ROOT_UUID=$(cat /proc/sys/kernel/random/uuid)
BOOT_ID=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n' | tr a-f A-F)
BOOT_UUID="${BOOT_ID:0:4}-${BOOT_ID:4:4}"
DISK_ID=0x$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
cat >"$ROOT/etc/fstab" <<EOF
# <file system>  <mount point>  <type>  <options>  <dump>  <pass>
UUID=$ROOT_UUID  /  ext4  rw,discard,errors=remount-ro  0  1
UUID=$BOOT_UUID  /boot  vfat  rw,umask=0077,shortname=lower  0  2
EOF

# The root's fsck goes into the initramfs only when its type is known; in a chroot the hook
# cannot probe the (not yet existing) device, so say it.
mkdir -p "$ROOT/etc/initramfs-tools/conf.d"
echo FSTYPE=ext4 >"$ROOT/etc/initramfs-tools/conf.d/genos-fstype"

# Reuse .debs from earlier builds (apt checks their hashes), and keep the new ones afterwards.
for deb in "$DEBS"/*.deb; do
  dest="$ROOT/var/cache/apt/archives/${deb##*/}"
  [ -e "$deb" ] && [ ! -e "$dest" ] && { ln "$deb" "$dest" 2>/dev/null || cp "$deb" "$dest"; }
done
say "installing: ${PACKAGES[*]}"
in_root apt-get -q update >"$WORK/apt.log" 2>&1 || {
  tail -n 20 "$WORK/apt.log" >&2
  die "apt-get update in the new system failed (is $MIRROR reachable?)"
}
in_root apt-get -q -y --no-install-recommends -o Dpkg::Use-Pty=0 install "${PACKAGES[@]}" \
  >>"$WORK/apt.log" 2>&1 || {
  tail -n 40 "$WORK/apt.log" >&2
  die "apt-get install in the new system failed (log above)"
}
in_root apt-get -q -y -o Dpkg::Use-Pty=0 dist-upgrade >>"$WORK/apt.log" 2>&1 ||
  die "apt-get dist-upgrade failed (see $WORK/apt.log)"
for deb in "$ROOT"/var/cache/apt/archives/*.deb; do
  [ -e "$DEBS/${deb##*/}" ] || ln "$deb" "$DEBS/" 2>/dev/null || cp "$deb" "$DEBS/"
done
say "packages in $(ms_since "$t")ms"

# --- 3. configuration ------------------------------------------------------------------------------
KVER=$(find "$ROOT/boot" -name 'vmlinuz-*' -printf '%f\n' | sed 's/^vmlinuz-//' | sort -V | tail -n1)
[ -n "$KVER" ] || die "no kernel in $ROOT/boot after installing linux-image-cloud-amd64"
[ -s "$ROOT/boot/initrd.img-$KVER" ] || die "no initrd.img-$KVER was generated (see $WORK/apt.log)"
INITRD_LIST=$(in_root lsinitramfs "/boot/initrd.img-$KVER")
for m in "${INITRD_MODULES[@]}"; do
  grep -Eq "/$m\.ko(\.[a-z]+)?$" <<<"$INITRD_LIST" ||
    grep -Eq "/$m\.ko$" "$ROOT/lib/modules/$KVER/modules.builtin" ||
    die "module $m is neither in the initramfs nor built into $KVER"
done

# /boot is the FAT partition syslinux boots from. Kernel packages installed later in the guest
# land there too, and this hook points syslinux.cfg at the newest kernel that has an initrd.
echo "GENOS_APPEND=\"root=UUID=$ROOT_UUID ro $CONSOLE_ARGS\"" >"$ROOT/etc/default/genos-syslinux"
install -d "$ROOT/etc/kernel/postinst.d" "$ROOT/etc/kernel/postrm.d"
cat >"$ROOT/etc/kernel/postinst.d/zz-genos-syslinux" <<'EOF'
#!/bin/sh
# GenOS: boot the newest kernel in /boot (the syslinux FAT partition). Runs after the
# initramfs-tools hook, so the new kernel's initrd exists by now.
set -e
. /etc/default/genos-syslinux
cd /boot
k=$(ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | while read -r v; do
  [ -f "initrd.img-$v" ] && echo "$v"; done | tail -n1)
[ -n "$k" ] || exit 0
cat >syslinux.cfg.new <<CFG
SERIAL 0 115200
DEFAULT debian
PROMPT 0
TIMEOUT 10
LABEL debian
  KERNEL /vmlinuz-$k
  INITRD /initrd.img-$k
  APPEND $GENOS_APPEND
CFG
mv -f syslinux.cfg.new syslinux.cfg
EOF
chmod 755 "$ROOT/etc/kernel/postinst.d/zz-genos-syslinux"
ln -sf ../postinst.d/zz-genos-syslinux "$ROOT/etc/kernel/postrm.d/zz-genos-syslinux"
in_root /etc/kernel/postinst.d/zz-genos-syslinux "$KVER"

# cloud-init: only the local datasources (no network metadata services to wait for).
cat >"$ROOT/etc/cloud/cloud.cfg.d/90_dpkg.cfg" <<'EOF'
# GenOS: seeds come from a local NoCloud volume (label cidata) or a config drive.
datasource_list: [ NoCloud, ConfigDrive, None ]
EOF
# No `locales` package (small image): C.UTF-8 is built into libc, en_US.UTF-8 (cloud-init's
# default) would fail cloud-config. DSA host keys are obsolete and slow to make under TCG.
cat >"$ROOT/etc/cloud/cloud.cfg.d/91_genos.cfg" <<'EOF'
locale: C.UTF-8
ssh_genkeytypes: [rsa, ecdsa, ed25519]
EOF
echo LANG=C.UTF-8 >"$ROOT/etc/default/locale"
# Without a seed cloud-init makes no SSH host keys; sshd then still gets its own, after cloud-init.
cat >"$ROOT/etc/systemd/system/genos-ssh-hostkeys.service" <<'EOF'
[Unit]
Description=Generate SSH host keys when cloud-init made none
After=cloud-init.service
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service
EOF
in_root systemctl enable genos-ssh-hostkeys.service >/dev/null 2>&1
rm -f "$ROOT"/etc/ssh/ssh_host_*
echo localhost >"$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
# Minimal ifupdown config; cloud-init writes the NIC's stanza (DHCP) on first boot.
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' \
  >"$ROOT/etc/network/interfaces"
in_root passwd -l root >/dev/null
# First boot is first boot: systemd and cloud-init see an empty machine-id and no instance state.
: >"$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id"
ln -s /etc/machine-id "$ROOT/var/lib/dbus/machine-id"
rm -rf "$ROOT/var/lib/cloud"/*

# --- 4. clean up ------------------------------------------------------------------------------------
write_sources http://deb.debian.org/debian http://deb.debian.org/debian-security
rm -f "$ROOT/usr/sbin/policy-rc.d"
in_root apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/debconf/*-old \
  "$ROOT"/var/lib/dpkg/*-old "$ROOT"/tmp/* "$ROOT"/var/tmp/*
find "$ROOT/var/log" -type f -delete
: >"$ROOT/etc/resolv.conf" # debootstrap copied the build host's; dhclient writes the guest's

# --- 5. the disk, from files ------------------------------------------------------------------------
t=$(date +%s%N)
# Partition 1: FAT with syslinux, holding what the kernel packages put in /boot.
BOOTFS="$WORK/boot.fat"
truncate -s "${BOOT_MIB}M" "$BOOTFS"
# -h: hidden sectors = the partition's start, which syslinux's boot sector adds to its reads.
mkfs.vfat -F 32 -n "$BOOT_LABEL" -i "$BOOT_ID" -h $((BOOT_START_MIB * 2048)) "$BOOTFS" >/dev/null
export MTOOLS_SKIP_CHECK=1
(cd "$ROOT/boot" && mcopy -i "$BOOTFS" -s -m -- * ::/)
syslinux --install "$BOOTFS"
# syslinux >= 5 needs ldlinux.c32 beside ldlinux.sys; its installer normally copies it.
mdir -a -i "$BOOTFS" ::/ldlinux.c32 >/dev/null 2>&1 ||
  mcopy -i "$BOOTFS" /usr/lib/syslinux/modules/bios/ldlinux.c32 ::/
find "$ROOT/boot" -mindepth 1 -delete # the mount point stays, empty

DISK="$WORK/disk.raw"
truncate -s "${DISK_MIB}M" "$DISK"
sfdisk -q "$DISK" <<EOF
label: dos
label-id: $DISK_ID
start=$((BOOT_START_MIB * 2048)), size=$((BOOT_MIB * 2048)), type=c, bootable
start=$((ROOT_START_MIB * 2048)), type=83
EOF
dd if="$MBR_BIN" of="$DISK" bs=440 count=1 conv=notrunc status=none
dd if="$BOOTFS" of="$DISK" bs=1M seek="$BOOT_START_MIB" conv=notrunc,sparse status=none
# Partition 2: ext4 written straight into the disk file at its offset, filled from the tree.
mke2fs -q -F -t ext4 -L "$ROOT_LABEL" -U "$ROOT_UUID" \
  -E "offset=$((ROOT_START_MIB * 1024 * 1024)),nodiscard" -d "$ROOT" "$DISK" "${ROOT_MIB}M"
ROOT_USED=$(du -sb "$ROOT" | cut -f1)
say "disk assembled in $(ms_since "$t")ms (root tree $(human "$ROOT_USED"))"

t=$(date +%s%N)
qemu-img convert -q -c -f raw -O qcow2 -o compression_type=zstd "$DISK" "$WORK/$IMAGE_NAME"
say "qcow2 written in $(ms_since "$t")ms"

# --- 6. publish ------------------------------------------------------------------------------------
# shellcheck disable=SC2016 # ${Version} is dpkg-query's field, not the shell's
pkgver() { in_root dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
SIZE=$(stat -c %s "$WORK/$IMAGE_NAME")
SHA=$(sha256sum "$WORK/$IMAGE_NAME" | cut -d' ' -f1)
mv -f "$WORK/$IMAGE_NAME" "$OUT/$IMAGE_NAME"
BUILD_MS=$(ms_since "$T0")
cat >"$OUT/debian-image.json.tmp" <<EOF
{
  "image": "$OUT/$IMAGE_NAME",
  "format": "qcow2",
  "virtualSizeBytes": $((DISK_MIB * 1024 * 1024)),
  "sizeBytes": $SIZE,
  "sha256": "$SHA",
  "os": "debian",
  "version": "12",
  "suite": "$SUITE",
  "arch": "amd64",
  "firmware": "bios",
  "kernelVersion": "$KVER",
  "kernelCmdline": "root=UUID=$ROOT_UUID ro $CONSOLE_ARGS",
  "serialConsole": "ttyS0",
  "rootUuid": "$ROOT_UUID",
  "rootLabel": "$ROOT_LABEL",
  "bootUuid": "$BOOT_UUID",
  "bootLabel": "$BOOT_LABEL",
  "cloudInitVersion": "$(pkgver cloud-init)",
  "cloudInitDatasources": ["NoCloud", "ConfigDrive", "None"],
  "packages": [$(printf '"%s",' "${PACKAGES[@]}" | sed 's/,$//')],
  "buildMs": $BUILD_MS,
  "stamp": "$STAMP"
}
EOF
mv -f "$OUT/debian-image.json.tmp" "$OUT/debian-image.json"
echo "$STAMP" >"$OUT/stamp"
say "built in ${BUILD_MS}ms into $OUT (kernel $KVER, cloud-init $(pkgver cloud-init))"
report
