#!/usr/bin/env bash
# schemathesis (PyPI, pinned in .ci/run) against the live API's own document: `npm start`
# with the embedded default, then with tokens on, as an admin and as an owner, with every
# check: no 5xx; each status, content type, header and body as the document gives them;
# what the schema refuses refused and what it allows accepted (but for the rules
# schemathesis.toml names); no route that takes a token answering without one. The document
# describes the server it comes from (no bearer token or 401 where none is required, no
# delivery where none is configured), so each run checks the document of its own setup.
# The event streams are left out: they answer for as long as the client listens
# (test/in-process/events.test.ts covers them); so are the voice installs' routes, which read
# the catalogues from Hugging Face (no network here; test/e2e/voice-fleet.test.ts covers them).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOKEN=schemathesis-token-0123456789
FIXTURE=../shared/fixtures/epub/idpf-hefty-water.epub

ready_book() { # $1: the API's base URL, then curl's auth options; prints the book's id
  local base=$1 id status
  shift
  id=$(curl -sf "$@" -F "file=@$FIXTURE" "$base/books" | node -e 'process.stdin.on("data", (d) => console.log(JSON.parse(d).id))')
  for _ in $(seq 1 120); do
    status=$(curl -sf "$@" "$base/books/$id" | node -e 'process.stdin.on("data", (d) => console.log(JSON.parse(d).status))')
    [ "$status" = READY ] && echo "$id" && return 0
    sleep 0.5
  done
  echo "the book to test with did not become READY (last: $status)" >&2
  return 1
}
run_against() { # $1: label, $2: API_TOKENS ('' for open mode), $3: the token sent
  local dir port pid status=0
  dir=$(mktemp -d /tmp/bookflow-schemathesis-XXXXXX)
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  DATA_DIR="$dir/data" PORT=$port API_TOKENS=$2 TTS_ENGINE=silence setsid node src/launch.mjs start > "$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
  echo "schemathesis against npm start ($1), port $port"
  local auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $3")
  # A READY book of the caller's own, so the routes of a book are tried on one that exists.
  BOOKFLOW_BOOK_ID=$(ready_book "http://127.0.0.1:$port" "${auth[@]}") || status=$?
  export BOOKFLOW_BOOK_ID
  [ "$status" -eq 0 ] && schemathesis --config-file test/api-fuzz/schemathesis.toml \
    run "http://127.0.0.1:$port/openapi.json" "${auth[@]}" \
    --checks all \
    --max-examples 30 --request-timeout 20 --suppress-health-check all \
    --exclude-path-regex '/events$|^/voices/(catalogue|[^/]+/install)$' || status=$?
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$status" -eq 0 ] || tail -50 "$dir/log"
  rm -rf "$dir"
  return "$status"
}

failed=0
run_against "open, embedded default" '' || failed=1
run_against "with an admin token" "ops:$TOKEN:admin,reader:${TOKEN}x" "$TOKEN" || failed=1
run_against "with an owner's token" "ops:$TOKEN:admin,reader:${TOKEN}x" "${TOKEN}x" || failed=1
exit "$failed"
