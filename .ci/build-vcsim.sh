#!/usr/bin/env bash
# Builds VMware's vSphere simulator (vcsim, from govmomi) into .cache/vcsim/
# from Debian's packages alone, offline: the vSphere tests run against it.
# Does nothing when the binary is already there. Needs root for apt-get
# (CI runs as root; on a laptop: sudo, or set VCSIM_BIN to a vcsim you have).
#
# Debian ships the govmomi *library* as a binary package; the vcsim command
# folder is only in the *source* package, which needs a deb-src entry. That
# entry is derived from the machine's own apt source and kept in a private
# apt state, so the system's sources stay as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.24.2-3
OUT="$PWD/.cache/vcsim"
BIN="$OUT/vcsim"
if [ -x "$BIN" ]; then
  echo "vcsim: already built ($BIN)"
  exit 0
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

started=$(date +%s)
packages=(golang-go golang-github-vmware-govmomi-dev golang-github-kr-pretty-dev dpkg-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "vcsim: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private apt state holding only deb-src twins of the machine's Debian sources.
apt_state="$work/apt"
mkdir -p "$apt_state/lists/partial" "$apt_state/sources.list.d"
system_sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$system_sources" ]; then
  sed 's/^Types:.*/Types: deb-src/' "$system_sources" >"$apt_state/sources.list.d/debian-src.sources"
elif [ -f /etc/apt/sources.list ]; then
  grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' >"$apt_state/sources.list"
else
  echo "vcsim: no apt source to derive a deb-src entry from" >&2
  exit 1
fi
touch "$apt_state/sources.list"
apt_private=(
  -o "Dir::Etc::SourceList=$apt_state/sources.list"
  -o "Dir::Etc::SourceParts=$apt_state/sources.list.d"
  -o "Dir::State::Lists=$apt_state/lists"
  -o "Debug::NoLocking=1"
  # The download lands in a private temporary folder that apt's _apt user cannot enter.
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_private[@]}" update -qq
(cd "$work" && apt-get "${apt_private[@]}" source --download-only -qq "golang-github-vmware-govmomi=$VERSION")
dsc=$(ls "$work"/golang-github-vmware-govmomi_*.dsc)
# Quiet unless it fails: the package carries one empty patch dpkg-source warns about.
if ! dpkg-source --no-check -x "$dsc" "$work/src" >"$work/dpkg-source.log" 2>&1; then
  cat "$work/dpkg-source.log" >&2
  exit 1
fi

# GOPATH mode, offline: the installed library tree plus the source package's
# vcsim/ folder in one tree (vcsim uses govmomi's internal packages, which Go
# allows only from inside the same tree).
gopath="$work/gopath"
tree="$gopath/src/github.com/vmware/govmomi"
mkdir -p "$(dirname "$tree")"
cp -r /usr/share/gocode/src/github.com/vmware/govmomi "$tree"
rm -rf "$tree/vcsim"
cp -r "$work/src/vcsim" "$tree/vcsim"
mkdir -p "$OUT"
GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOPROXY=off GOCACHE="$work/gocache" \
  go build -o "$BIN.partial" github.com/vmware/govmomi/vcsim
mv "$BIN.partial" "$BIN"
echo "vcsim: built $BIN in $(($(date +%s) - started)) s"
