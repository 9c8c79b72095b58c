#!/usr/bin/env bash
# A real S3 API for tests and development: single-node Ceph (mon + memstore OSD + radosgw) on
# 127.0.0.1, adapted from ../shared/infra/s3-radosgw.sh.
#
#   scripts/s3-radosgw.sh [DIR]     # default DIR: /tmp/skillbridge-s3; S3 at http://127.0.0.1:7480
#   scripts/s3-stop.sh [DIR]        # stops the daemons this script started
#
# Credentials: access key DEVACCESSKEY, secret DEVSECRETKEY0123456789 (the test helper's
# defaults). Clients need path-style addressing (S3_FORCE_PATH_STYLE=true); the adapter sets
# requestChecksumCalculation: WHEN_REQUIRED and uses multipart uploads for streams of unknown
# length, which radosgw requires. Data lives in memory (memstore, 1 GiB): a restart starts empty.
# Needs the Debian packages ceph-mon ceph-osd radosgw (`.ci/run` installs them when missing).
# Does nothing when something already answers on port 7480.
set -euo pipefail

PORT=7480
ACCESS_KEY=DEVACCESSKEY
SECRET_KEY=DEVSECRETKEY0123456789
C=${1:-/tmp/skillbridge-s3}

if curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "an S3 server already answers on 127.0.0.1:$PORT; nothing started"
  exit 0
fi
for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph-authtool monmaptool; do
  command -v "$bin" >/dev/null || {
    echo "missing $bin: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw" >&2
    exit 1
  }
done

rm -rf "$C"
mkdir -p "$C"/{run,log,mon,osd,rgw}
cd "$C"
FSID=$(cat /proc/sys/kernel/random/uuid)
cat >ceph.conf <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
mon initial members = a
public network = 127.0.0.0/8
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 1073741824
osd crush chooseleaf type = 0
run dir = $C/run
log file = $C/log/\$name.log
admin socket = $C/run/\$name.asok
pid file = $C/run/\$name.pid
mon data = $C/mon/\$name
osd data = $C/osd/\$name
keyring = $C/keyring
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $C/rgw
CONF

ceph-authtool --create-keyring keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool keyring --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' >/dev/null
monmaptool --create --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' --fsid "$FSID" monmap >/dev/null
ceph-mon -c ceph.conf --mkfs -i a --monmap monmap --keyring keyring
ceph-mon -c ceph.conf -i a
ID=$(timeout 60 ceph -c ceph.conf osd create)
mkdir -p "osd/osd.$ID"
ceph-osd -c ceph.conf -i "$ID" --mkfs 2>/dev/null
ceph-osd -c ceph.conf -i "$ID" 2>/dev/null
radosgw -c ceph.conf -n client.rgw.a

up=false
for _ in $(seq 1 90); do
  if curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; then up=true; break; fi
  sleep 1
done
if [ "$up" != true ]; then
  echo "radosgw did not answer on 127.0.0.1:$PORT within 90 s; logs in $C/log" >&2
  exit 1
fi
# The user may already exist when radosgw kept state; creating it again is harmless to skip.
timeout 60 radosgw-admin -c ceph.conf user create --uid=dev --display-name=dev \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>&1 ||
  timeout 60 radosgw-admin -c ceph.conf user info --uid=dev >/dev/null
echo "rgw up at http://127.0.0.1:$PORT (dir $C): pids mon=$(cat run/mon.a.pid) osd=$(cat "run/osd.$ID.pid") rgw=$(cat run/client.rgw.a.pid)"
