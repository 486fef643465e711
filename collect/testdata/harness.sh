# The end-to-end suite under covrun: it deploys to "other hosts" (containers
# on a network of their own) and hands them the collector's address and
# token, as a harness would hand them to what it deploys.
set -eu
img=$1 net=$2 p=$3 base=$4
port=${COVKIT_COLLECT_ADDR##*:}
docker network create "$net" >/dev/null
gw=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$net")
url=http://$gw:$port
run() { docker run --network "$net" -e COVKIT_COLLECT="$url" -e COVKIT_TOKEN="$COVKIT_COLLECT_TOKEN" -e COVKIT_CHECKPOINT=1s "$@"; }

python3 local.py
run -d --name "$p-svc" "$img" python3 /srv/service.py >/dev/null
run -d --name "$p-killed" "$img" python3 /srv/killed.py >/dev/null
run -d --name "$p-ticker" "$img" python3 /srv/ticker.py >/dev/null
docker run -d --network "$net" -e COVKIT_COLLECT="$url" -e COVKIT_TOKEN="$COVKIT_COLLECT_TOKEN" -e COVKIT_CHECKPOINT=1h \
  --name "$p-stopped" "$img" python3 /srv/stopped.py >/dev/null
run --rm --name "$p-batch" "$img" python3 /srv/batch.py
docker run --rm --network "$net" -e COVKIT_COLLECT="$url" -e COVKIT_TOKEN=not-the-token --name "$p-evil" "$img" python3 /srv/evil.py

# The service answers requests (from a container that is not measured).
docker run --rm --network "$net" -v "$PWD/remote/request.py:/request.py:ro" "$base" python3 /request.py "http://$p-svc:8000"

# The ticker is cut off from the network, runs more code, comes back.
until docker logs "$p-ticker" 2>&1 | grep -q started; do sleep 0.1; done
sleep 1.5
docker network disconnect "$net" "$p-ticker"
until docker logs "$p-ticker" 2>&1 | grep -q during; do sleep 0.1; done
sleep 2
docker network connect "$net" "$p-ticker"

# docker stop: SIGTERM, ignored by a Python PID 1, then SIGKILL.
until docker logs "$p-stopped" 2>&1 | grep -q "stopped ready"; do sleep 0.1; done
docker stop -t 3 "$p-stopped" >/dev/null

# The worker is killed without warning, a few checkpoints after its work.
until docker logs "$p-killed" 2>&1 | grep -q "work done"; do sleep 0.1; done
sleep 3
docker kill "$p-killed" >/dev/null
sleep 1
echo "harness done"
