#!/usr/bin/env bash
# Starts a real Request Tracker 5 for deskops' RT tests, from Debian's packages with SQLite:
#
#   1. installs request-tracker5, rt5-db-sqlite and rt5-standalone (and msmtp-mta, so that no
#      mail server is pulled in), with debconf preseeded: SQLite, database created by dbconfig;
#   2. writes RT_SiteConfig.d/99-deskops-ci.pm: WebPath '', the base URL with the port, a low
#      bcrypt cost (RT checks the auth token's hash on every request), full-text search by LIKE;
#   3. makes an agent (deskops-agent, ticket rights on every queue but no admin rights), a
#      second agent, the queues Billing and General, the ticket custom fields Tags and Product,
#      seeds a few tickets once, and makes a fresh auth token (./bootstrap.pl, RT's Perl API);
#   4. starts RT's standalone server (rt-server) as www-data on 127.0.0.1:$RT_PORT (a free
#      port unless set) and waits until REST2 answers with the token;
#   5. writes RT_URL, RT_TOKEN, RT_PID and RT_LOG to $RT_ENV_FILE (mode 0600).
#
# Safe to run again: the install is skipped when done, a server it started before is stopped
# (by its PID) and started anew, the seed tickets are made once. Quiet unless it fails: the
# steps log to $RT_STATE_DIR/setup.log and a failure prints its tail and exits non-zero.
# Stop the server with test/rt/stop-rt.sh.
#
#   RT_STATE_DIR  where the log, PID file and env file go (default /tmp/deskops-rt)
#   RT_ENV_FILE   the file the tests read (default $RT_STATE_DIR/rt.env)
#   RT_PORT       port to listen on (default: a free one)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
state=${RT_STATE_DIR:-/tmp/deskops-rt}
env_file=${RT_ENV_FILE:-$state/rt.env}
log=$state/setup.log
pid_file=$state/rt.pid
server_log=$state/rt-server.log
site_config=/etc/request-tracker5/RT_SiteConfig.d/99-deskops-ci.pm
rt_lib=/usr/share/request-tracker5/lib
rt_server=/usr/share/request-tracker5/libexec/rt-server
packages=(request-tracker5 rt5-db-sqlite rt5-standalone msmtp-mta)

mkdir -p "$state"
chmod 0755 "$state"
: >"$log"

fail() {
  echo "setup-rt: $1" >&2
  echo "setup-rt: last lines of $log:" >&2
  tail -n 40 "$log" >&2 || true
  exit 1
}
step() { echo "== $(date -u +%H:%M:%S) $*" >>"$log"; }
run() { "$@" >>"$log" 2>&1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root: it installs Debian packages and runs RT as www-data"
command -v node >/dev/null || fail "node is needed to pick a free port"

installed() {
  local p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

if ! installed; then
  step "installing ${packages[*]}"
  run debconf-set-selections <<'EOF' || fail "debconf-set-selections failed"
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/rtname string deskops-ci
request-tracker5 request-tracker5/organization string deskops.test
request-tracker5 request-tracker5/correspondaddress string rt@deskops.test
request-tracker5 request-tracker5/commentaddress string rt-comment@deskops.test
request-tracker5 request-tracker5/webpath string
request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
man-db man-db/auto-update boolean false
EOF
  run apt-get update -q || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends "${packages[@]}" \
    || fail "installing ${packages[*]} failed"
  installed || fail "the packages are still not installed after apt-get install"
fi
[ -x "$rt_server" ] || fail "rt-server not found at $rt_server (dpkg -L request-tracker5 | grep -i server)"
[ -e /var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb ] \
  || fail "RT's SQLite database was not created (debconf request-tracker5/dbconfig-install)"

# A server this script started before: stop it, so the new one gets the new port and config.
if [ -s "$pid_file" ]; then
  step "stopping the RT server started before"
  run bash "$here/stop-rt.sh" || fail "could not stop the RT server of $pid_file"
fi

port=${RT_PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
[[ "$port" =~ ^[0-9]+$ ]] || fail "no usable port: $port"
url="http://127.0.0.1:$port"

step "writing $site_config for $url"
cat >"$site_config" <<EOF
# Written by deskops' test/rt/setup-rt.sh for the RT that its tests run against.
Set(\$WebPath, '');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $port);
Set(\$WebBaseURL, '$url');
# Every request checks the auth token's bcrypt hash: keep it cheap.
Set(\$BcryptCost, 4);
# Content LIKE in TicketSQL (deskops' plain words), without an index.
Set(%FullTextSearch, Enable => 1, Indexed => 0);
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
Set(\$MailCommand, 'testfile');
Set(\$HTMLFormatter, 'core');
1;
EOF
chown root:www-data "$site_config"
chmod 0640 "$site_config"
# Debian leaves RT_SiteConfig.pm readable by root only: RT then warns on every start.
chown root:www-data /etc/request-tracker5/RT_SiteConfig.pm
chmod 0640 /etc/request-tracker5/RT_SiteConfig.pm

as_rt() { setpriv --reuid=www-data --regid=www-data --init-groups "$@"; }

step "making the agent, queues, custom fields, seed tickets and a token"
token=$(cd /tmp && as_rt perl -I"$rt_lib" - <"$here/bootstrap.pl" 2>>"$log" | sed -n 's/^TOKEN=//p') \
  || fail "bootstrap.pl failed"
[ -n "$token" ] || fail "bootstrap.pl printed no token"

step "starting rt-server on $url"
(cd /tmp && exec nohup setpriv --reuid=www-data --regid=www-data --init-groups \
  "$rt_server" --server Standalone --host 127.0.0.1 --port "$port" </dev/null >"$server_log" 2>&1) &
pid=$!
echo "$pid" >"$pid_file"

ready=""
for _ in $(seq 1 180); do
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$server_log" >>"$log" 2>/dev/null || true
    fail "rt-server exited while starting (see $server_log)"
  fi
  if curl -sf -o /dev/null -H "Authorization: token $token" "$url/REST/2.0/rt"; then
    ready=yes
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  cat "$server_log" >>"$log" 2>/dev/null || true
  fail "RT did not answer $url/REST/2.0/rt with the agent's token within 90 s"
fi

step "writing $env_file"
mkdir -p "$(dirname "$env_file")"
umask 077
cat >"$env_file" <<EOF
RT_URL=$url
RT_TOKEN=$token
RT_PID=$pid
RT_LOG=$server_log
EOF
step "ready: $url (pid $pid)"
