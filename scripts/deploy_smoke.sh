#!/usr/bin/env bash
# Try the deployment files on this machine, on loopback only: `nginx -t` on deploy/nginx/kohtaamo.conf, then
# nginx (TLS with a throwaway self-signed certificate) in front of gunicorn (deploy/gunicorn.conf.py) with the
# production settings on a Unix socket, and check what docs/operations.md promises. Cleans up after itself.
# Needs nginx, openssl and curl (apt-get install nginx-light openssl curl). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/kohtaamo-deploy-smoke-XXXXXX)
chmod 755 "$WORK"
HOST=kohtaamo.example.fi
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(port)
HTTPS_PORT=$(port)
GUNICORN_PID=""

cleanup() {
  [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s quit 2>/dev/null || true
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# The site file as shipped, with only paths and ports moved into the scratch directory.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$HOST" \
  -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null
sed -e "s#/etc/letsencrypt/live/$HOST/#$WORK/#" \
    -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#" \
    -e "/listen \[::\]/d" \
    -e "s#unix:/run/kohtaamo.sock#unix:$WORK/kohtaamo.sock#" \
    -e "s#/srv/kohtaamo/var/static/#$WORK/var/static/#" \
    -e "s#/var/log/nginx/#$WORK/#" \
    -e "s#/var/www/letsencrypt#$WORK/acme#" \
    -e "s#return 301 https://\$host\$request_uri;#return 301 https://\$host:$HTTPS_PORT\$request_uri;#" \
    deploy/nginx/kohtaamo.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    client_body_temp_path $WORK/client_body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    include $WORK/site.conf;
}
EOF
nginx -t -p "$WORK" -c "$WORK/nginx.conf" 2>&1 | sed 's/^/  /'
ok "nginx -t accepts deploy/nginx/kohtaamo.conf"

# The app with the production settings, as the systemd unit would start it.
export KOHTAAMO_ENV=production DEBUG=0 ALLOWED_HOSTS=$HOST CSRF_TRUSTED_ORIGINS=https://$HOST
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY KOHTAAMO_VAR_DIR="$WORK/var" DATABASE_URL="sqlite:///$WORK/var/kohtaamo.sqlite3" LOG_FORMAT=json
export GUNICORN_BIND="unix:$WORK/kohtaamo.sock" GUNICORN_WORKERS=2
mkdir -p "$WORK/var"
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py collectstatic --noinput --verbosity 0
.venv/bin/gunicorn -c deploy/gunicorn.conf.py kohtaamo.wsgi >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 50); do [ -S "$WORK/kohtaamo.sock" ] && break; sleep 0.2; done
[ -S "$WORK/kohtaamo.sock" ] || fail "gunicorn did not start: $(cat "$WORK/gunicorn.log")"
nginx -p "$WORK" -c "$WORK/nginx.conf"
sleep 0.5

CURL=(curl -sS --max-time 10 --cacert "$WORK/fullchain.pem" --resolve "$HOST:$HTTPS_PORT:127.0.0.1" --resolve "$HOST:$HTTP_PORT:127.0.0.1")
HTTPS="https://$HOST:$HTTPS_PORT"

status=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "http://$HOST:$HTTP_PORT/sites/")
[ "$status" = "301 $HTTPS/sites/" ] || fail "plain HTTP should redirect to HTTPS, got $status"
ok "plain HTTP answers 301 to HTTPS"

body=$("${CURL[@]}" -D "$WORK/headers" "$HTTPS/healthz")
[ "$body" = '{"status": "ok", "database": "ok"}' ] || fail "healthz over HTTPS: $body"
ok "GET /healthz over TLS through nginx: $body"
grep -qi '^strict-transport-security: max-age=' "$WORK/headers" || fail "no HSTS header from Django"
ok "Django saw X-Forwarded-Proto https: no redirect loop, and it sends HSTS"
request_id=$(grep -i '^x-request-id:' "$WORK/headers" | tr -d '\r' | awk '{print $2}')
[[ "$request_id" =~ ^[0-9a-f]{32}$ ]] || fail "X-Request-ID from nginx not passed through: '$request_id'"
grep -q "\"request_id\":\"$request_id\"" "$WORK/kohtaamo.access.log" || fail "request id not in nginx's JSON access log"
ok "nginx's request id $request_id reaches the app and its JSON access log"

status=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' --unix-socket "$WORK/kohtaamo.sock" \
  -H "Host: $HOST" -H "X-Forwarded-Proto: http" "http://$HOST/sites/")
[ "${status%% *}" = "301" ] || fail "the app should redirect a request that nginx marks as plain HTTP, got $status"
ok "the app itself redirects when X-Forwarded-Proto is not https ($status)"

static=$(.venv/bin/python -c "import json,sys; m=json.load(open(sys.argv[1])); print(next(v for k,v in m['paths'].items() if k.endswith('.css')))" "$WORK/var/static/staticfiles.json")
"${CURL[@]}" -o /dev/null -D "$WORK/static-headers" "$HTTPS/static/$static"
grep -q '^HTTP/[0-9.]* 200' "$WORK/static-headers" || fail "static file /static/$static not served"
grep -qi 'cache-control: public, immutable' "$WORK/static-headers" || fail "static file without long cache"
ok "nginx serves /static/$static with Cache-Control: public, immutable"

head -c 3000000 /dev/zero > "$WORK/big"
status=$("${CURL[@]}" -o /dev/null -w '%{http_code}' -X POST --data-binary @"$WORK/big" "$HTTPS/api/v1/encounters/batch")
[ "$status" = "413" ] || fail "a 3 MB body should be refused with 413, got $status"
ok "a 3 MB request body is refused by nginx (413)"

echo "deploy smoke test passed (nginx $(nginx -v 2>&1 | sed 's#.*/##'), gunicorn $(.venv/bin/gunicorn --version | awk '{print $3}' | tr -d ')'))"
