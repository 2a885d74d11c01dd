#!/usr/bin/env bash
# Builds the Dockerfile and runs the image, with no container registry: buildah
# (chroot isolation, vfs storage) builds FROM a stand-in for the official
# node:24-bookworm-slim made of a Debian bookworm minbase (debootstrap, cached
# under .cache/image/) plus Node 24 and npm from the npm registry. Then the
# image's own entry point runs `--version`, the CLI demo `list` and `serve`,
# and the process must not be root.
#
# Exit status: 0 passed; 1 failed; 77 cannot run on this machine (the reason
# is printed: not root, no buildah/debootstrap to be had, or a kernel feature
# buildah needs is missing). Needs root for apt-get, debootstrap and buildah.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.cache/image
base=localhost/cloudmaster-base-node24:1 # bump when the way it is made changes
image=localhost/cloudmaster:image-test
container=cloudmaster-image-test
export STORAGE_DRIVER=vfs # overlay needs kernel support these machines lack; vfs always works

cannot() {
  echo "image test: cannot run here: $*" >&2
  exit 77
}
step() { echo "image test: $*"; }
fail() {
  echo "image test: FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || cannot "it needs root (apt-get, debootstrap, buildah)"
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || cannot "buildah and debootstrap are missing and there is no apt-get"
  step "installing buildah and debootstrap from Debian's packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null; } ||
    cannot "apt-get could not install buildah and debootstrap"
fi

# Can this kernel give buildah what it needs? A scratch container, mounted and removed.
probe=$(buildah from scratch 2>/dev/null) || cannot "buildah cannot create a container (vfs storage)"
buildah mount "$probe" >/dev/null 2>&1 || { buildah rm "$probe" >/dev/null 2>&1; cannot "buildah cannot mount a container"; }
buildah rm "$probe" >/dev/null

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) cannot "no Node.js package for $(uname -m)" ;;
esac
mkdir -p "$cache"

# The stand-in base, kept in buildah's storage; what it is made of is cached in .cache/image/.
if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
  # Debian bookworm minbase, as the official slim image is; about a minute the first time.
  rootfs_tar="$cache/bookworm-minbase-$arch.tar"
  if [ ! -s "$rootfs_tar" ]; then
    step "making a Debian bookworm minbase with debootstrap (cached in $rootfs_tar)"
    rootfs=$(mktemp -d)
    if ! debootstrap --variant=minbase bookworm "$rootfs" >"$cache/debootstrap.log" 2>&1; then
      rm -rf "$rootfs"
      cannot "debootstrap failed (see $cache/debootstrap.log)"
    fi
    tar -C "$rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
    rm -rf "$rootfs"
  fi

  # Node 24 and npm from the npm registry, where the official image has them from nodejs.org.
  runtime="$cache/node24-$arch"
  if [ ! -x "$runtime/node_modules/node-linux-$arch/bin/node" ] || [ ! -f "$runtime/node_modules/npm/bin/npm-cli.js" ]; then
    step "fetching Node 24 and npm from the npm registry (cached in $runtime)"
    npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefix "$runtime" \
      "node-linux-$arch@24" "npm@11" >/dev/null
  fi

  step "assembling the stand-in base image $base"
  c=$(buildah from scratch)
  m=$(buildah mount "$c")
  tar -C "$m" -xf "$rootfs_tar"
  install -m 0755 "$runtime/node_modules/node-linux-$arch/bin/node" "$m/usr/local/bin/node"
  mkdir -p "$m/usr/local/lib/node_modules"
  cp -a "$runtime/node_modules/npm" "$m/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$m/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$m/usr/local/bin/npx"
  # A CA this machine trusts beyond the public ones (an intercepting egress proxy, say) must be trusted
  # inside too, or the build's npm ci cannot reach the registry; Node adds NODE_EXTRA_CA_CERTS to its own.
  extra_ca=()
  npm_cafile=$(npm config get cafile 2>/dev/null || true)
  for file in "$npm_cafile" "${NODE_EXTRA_CA_CERTS:-}"; do
    if [ -n "$file" ] && [ "$file" != null ] && [ -f "$file" ]; then extra_ca+=("$file"); fi
  done
  if [ "${#extra_ca[@]}" -gt 0 ]; then
    mkdir -p "$m/usr/local/share/extra-ca"
    cat "${extra_ca[@]}" >"$m/usr/local/share/extra-ca/ca.crt"
    buildah config --env NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca/ca.crt "$c"
  fi
  buildah umount "$c" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd node "$c"
  buildah commit -q "$c" "$base" >/dev/null
  buildah rm "$c" >/dev/null
fi
probe=$(buildah from "$base")
if ! buildah run --isolation chroot "$probe" -- node -e 0 >/dev/null 2>&1; then
  buildah rm "$probe" >/dev/null
  cannot "buildah run --isolation chroot cannot start a process here"
fi
buildah rm "$probe" >/dev/null

cleanup() {
  buildah rm "$container" >/dev/null 2>&1 || true
  buildah rmi "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

step "building the Dockerfile FROM $base"
started=$SECONDS
buildah bud --isolation chroot --format docker --layers=false --build-arg "BASE_IMAGE=$base" -t "$image" . >"$cache/build.log" 2>&1 ||
  { tail -40 "$cache/build.log" >&2; fail "the build failed (log: $cache/build.log)"; }
step "built in $((SECONDS - started)) s"

# The image's configuration, as JSON, from buildah's own description of it.
config() {
  buildah inspect --type image "$image" | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const image = JSON.parse(text);
      const value = { user: image.OCIv1.config.User, entrypoint: image.OCIv1.config.Entrypoint,
        cmd: image.OCIv1.config.Cmd, healthcheck: image.Docker.config.Healthcheck,
        env: image.OCIv1.config.Env }[process.argv[1]];
      process.stdout.write(typeof value === "string" ? value : JSON.stringify(value ?? null));
    });' "$1"
}
user=$(config user)
entrypoint=$(config entrypoint)
cmd=$(config cmd)
healthcheck=$(config healthcheck)
step "user $user, entry point $entrypoint, command $cmd"
case "$user" in "" | 0 | 0:* | root | root:*) fail "the image runs as root (USER is '$user')" ;; esac
[ "$entrypoint" = '["node","--max-semi-space-size=8","/app/bin/cloudmaster.js"]' ] || fail "unexpected entry point $entrypoint"
[ "$cmd" = '["serve"]' ] || fail "unexpected command $cmd"
case "$healthcheck" in *healthz*) ;; *) fail "no HEALTHCHECK on /healthz (got $healthcheck)" ;; esac
# Without it, serve without tokens would open the local workspace instead of refusing.
case "$(config env)" in *'"CLOUDMASTER_REQUIRE_SLACK=1"'*) ;; *) fail "the image does not set CLOUDMASTER_REQUIRE_SLACK=1" ;; esac

buildah from --name "$container" "$image" >/dev/null
# buildah run starts no entry point by itself: run the image's own, with the image's USER.
run() { buildah run --isolation chroot "$@"; }

uid=$(run "$container" -- node -p 'process.getuid()')
[ "$uid" != 0 ] || fail "the entry point's process runs as root"
step "runs as uid $uid"

version=$(run "$container" -- node /app/bin/cloudmaster.js --version)
expected="cloudmaster $(node -p 'require("./package.json").version')"
[ "$version" = "$expected" ] || fail "--version printed '$version', not '$expected'"
step "--version: $version"

# The demo cloud through the embedded store, which must land in the /data volume.
listing=$(run --env CLOUDMASTER_DEMO=1 "$container" -- \
  sh -c 'node /app/bin/cloudmaster.js list && test -s /data/cloudmaster.db') ||
  fail "list failed, or left no store in /data: $listing"
case "$listing" in "12 machines and 3 stacks on 1 provider:"*) ;; *) fail "list printed: $listing" ;; esac
step "list: ${listing%%$'\n'*}"

# The default command without Slack tokens: one line saying what is missing, exit 1. The shell inside
# reports the status itself, so buildah's own complaint about a failed command stays out of the output.
serve=$(run "$container" -- sh -c 'node /app/bin/cloudmaster.js serve 2>&1; echo "exit $?"' 2>/dev/null)
[ "$(printf '%s\n' "$serve" | wc -l)" = 2 ] && [ "${serve##*$'\n'}" = "exit 1" ] &&
  case "$serve" in "cloudmaster cannot connect to Slack: SLACK_BOT_TOKEN"*) true ;; *) false ;; esac ||
  fail "serve without tokens should say what is missing in one line and exit 1; it printed: $serve"
serve=${serve%%$'\n'*}
step "serve without tokens: ${serve:0:60}…"

# With the variable cleared, as docs/local-workspace.md says, the local workspace's page answers from dist/.
local=$(run --env CLOUDMASTER_REQUIRE_SLACK= "$container" -- node -e '
  const child = require("node:child_process").spawn("node", ["/app/bin/cloudmaster.js", "serve", "--port", "0"],
    { stdio: ["ignore", "pipe", "inherit"] });
  let out = "", asked = false;
  const done = (word) => { process.stdout.write(word); child.kill("SIGTERM"); };
  child.stdout.on("data", (chunk) => {
    out += chunk;
    const url = /open (http:\S+)\n/.exec(out)?.[1];
    if (!url || asked) return;
    asked = true;
    fetch(`${url}/local/page/app.js`).then((r) => done(r.ok ? "page" : `HTTP ${r.status}`), (e) => done(String(e)));
  });
  child.on("exit", () => process.exit(0));
  setTimeout(() => done("no local workspace line within 60 s"), 60_000);' 2>&1) || true
[ "$local" = page ] || fail "serve with CLOUDMASTER_REQUIRE_SLACK cleared should open the local workspace; got: $local"
step "serve with CLOUDMASTER_REQUIRE_SLACK cleared: the local workspace's page answers"

# The HEALTHCHECK's own command, run inside: healthy when something answers GET /healthz on PORT with
# 200, unhealthy when nothing does. (The bot's endpoint itself is tested with the bot, not here.)
health() {
  run --env "HEALTHCHECK=$healthcheck" --env "PORT=$port" --env "ANSWER=$1" "$container" -- node -e '
    const [kind, ...command] = JSON.parse(process.env.HEALTHCHECK).Test;
    if (kind !== "CMD") throw new Error(`HEALTHCHECK ${kind} is not the exec form`);
    const check = () => require("node:child_process").spawn(command[0], command.slice(1), { stdio: "inherit" })
      .on("exit", (code) => process.exit(code ?? 1));
    if (process.env.ANSWER !== "yes") check();
    else require("node:http").createServer((request, response) => response.writeHead(request.url === "/healthz" ? 200 : 404).end())
      .listen(Number(process.env.PORT), "127.0.0.1", check);' 2>/dev/null
}
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
health yes || fail "the HEALTHCHECK failed against a /healthz answering 200 on PORT"
! health no || fail "the HEALTHCHECK passed with nothing listening on PORT"
step "HEALTHCHECK: healthy when /healthz answers on PORT, unhealthy when nothing does"

run "$container" -- sh -c 'test ! -e /app/src && test ! -e /app/node_modules/typescript && test ! -e /app/node_modules/vitest' ||
  fail "the image holds sources or dev dependencies"
step "passed"
