#!/usr/bin/env bash
# Prepares a Debian or Ubuntu machine to run GenOS: QEMU, a container engine, optional extras
# (UEFI firmware, a software TPM, an ISO builder, Debian image tools), and /dev/kvm + Docker groups.
#
#   scripts/setup-host.sh [--dry-run] [--no-optional] [--user NAME]
#
# Uses sudo when not run as root. Only installs what is missing; safe to run again.
set -euo pipefail

DRY_RUN=0
OPTIONAL=1
TARGET_USER=${SUDO_USER:-${USER:-$(id -un)}}

usage() {
  if [ "${1:-0}" -eq 0 ]; then
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  else
    sed -n '5p' "$0" | sed 's/^# *//; s/^/usage: /' >&2
  fi
  exit "${1:-0}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --no-optional) OPTIONAL=0 ;;
    --user)
      [ $# -ge 2 ] || usage 2
      TARGET_USER=$2
      shift
      ;;
    -h | --help) usage 0 ;;
    *)
      echo "unknown option: $1" >&2
      usage 2
      ;;
  esac
  shift
done

say() { printf 'genos setup: %s\n' "$*"; }

# Runs a command as root (directly, or through sudo); only prints it under --dry-run.
as_root() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '  would run: %s\n' "$*"
  elif [ "$(id -u)" -eq 0 ]; then
    "$@"
  else
    sudo "$@"
  fi
}

# ---------------------------------------------------------------------------------------------
# Not an apt system: say what to install, and stop.
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  cat >&2 <<'EOF'
genos setup: this script knows Debian and Ubuntu (apt) only, so it has changed nothing.
GenOS needs, from your system's packages:
  - QEMU: qemu-system-x86_64 (or qemu-system-aarch64 on ARM) and qemu-img
  - a container engine: Docker or Podman
  - optional: UEFI firmware (OVMF / edk2), swtpm, genisoimage (or xorriso)
For example:
  Fedora:    sudo dnf install qemu-kvm qemu-img podman edk2-ovmf swtpm genisoimage
  Arch:      sudo pacman -S qemu-full docker edk2-ovmf swtpm cdrtools
  openSUSE:  sudo zypper install qemu-x86 qemu-tools podman qemu-ovmf-x86_64 swtpm mkisofs
  macOS:     brew install qemu podman   (or Docker Desktop)
Then add yourself to the kvm group (Linux) and, for Docker, the docker group, and log in again.
EOF
  exit 1
fi

if [ "$(id -u)" -ne 0 ] && [ "$DRY_RUN" -eq 0 ] && ! command -v sudo >/dev/null 2>&1; then
  say "not root and sudo is missing: run this as root, or install sudo first." >&2
  exit 1
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
available() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -qv '(none)'; }

arch=$(dpkg --print-architecture)
case "$arch" in
  amd64) qemu=(qemu-system-x86) firmware=ovmf ;;
  arm64) qemu=(qemu-system-arm) firmware=qemu-efi-aarch64 ;;
  *)
    say "architecture $arch: installing the x86 emulator (guests run under TCG, slowly)."
    qemu=(qemu-system-x86)
    firmware=ovmf
    ;;
esac

# openssh-client: "Open SSH terminal" runs ssh and ssh-keygen. Not openssh-server: that would
# start an SSH daemon on this machine, which only the test suite (.ci/run) wants.
wanted=("${qemu[@]}" qemu-utils openssh-client)
engine_present=0
if command -v docker >/dev/null 2>&1 || command -v podman >/dev/null 2>&1; then
  engine_present=1
  say "a container engine is already installed ($(command -v docker || command -v podman)); keeping it."
else
  wanted+=(docker.io)
fi
optional=()
if [ "$OPTIONAL" -eq 1 ]; then optional=("$firmware" swtpm swtpm-tools genisoimage); fi
# scripts/build-debian-image.sh (an x86 BIOS image: syslinux exists for x86 only).
if [ "$OPTIONAL" -eq 1 ] && [ "$arch" = amd64 ]; then
  optional+=(debootstrap mtools dosfstools syslinux syslinux-common fdisk)
fi

missing=()
for pkg in "${wanted[@]}"; do installed "$pkg" || missing+=("$pkg"); done
missing_optional=()
for pkg in "${optional[@]}"; do installed "$pkg" || missing_optional+=("$pkg"); done

if [ "${#missing[@]}" -gt 0 ] || [ "${#missing_optional[@]}" -gt 0 ]; then
  say "updating the package lists"
  as_root apt-get update
  for pkg in "${missing_optional[@]}"; do
    if [ "$DRY_RUN" -eq 1 ] || available "$pkg"; then
      missing+=("$pkg")
    else
      say "optional package $pkg is not available here; skipping it."
    fi
  done
  say "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "QEMU, a container engine and the extras are already installed."
fi

# ---------------------------------------------------------------------------------------------
# Groups: /dev/kvm is usually group kvm; the Docker socket is group docker.
added=()
if [ "$TARGET_USER" = root ]; then
  say "running as root with no invoking user: no groups to change."
else
  for group in kvm docker; do
    if [ "$group" = docker ] && [ "$engine_present" -eq 1 ] && ! command -v dockerd >/dev/null 2>&1; then
      continue # Podman (or a remote Docker) needs no docker group
    fi
    if ! getent group "$group" >/dev/null; then
      # docker.io creates its group when it installs, which a dry run did not do.
      if [ "$group" = docker ] && [ "$DRY_RUN" -eq 1 ]; then
        as_root usermod -aG "$group" "$TARGET_USER"
        added+=("$group")
      fi
      continue
    fi
    if id -nG "$TARGET_USER" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
      continue
    fi
    as_root usermod -aG "$group" "$TARGET_USER"
    added+=("$group")
  done
fi

# ---------------------------------------------------------------------------------------------
if [ ! -e /dev/kvm ]; then
  say "note: /dev/kvm is missing, so VMs will run without hardware acceleration (much slower)."
  say "      Enable virtualization (VT-x / AMD-V) in the firmware settings, or load kvm_intel/kvm_amd."
fi
if [ "${#added[@]}" -gt 0 ]; then
  say "added $TARGET_USER to: ${added[*]}."
  say "Group changes apply to new logins: log out and back in (or run \`newgrp docker\` in a shell)."
  if printf '%s\n' "${added[@]}" | grep -qx docker; then
    say "Note that the docker group grants root-equivalent access to this machine."
  fi
fi
say "done. Check the result with: genos doctor"
