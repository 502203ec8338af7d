#!/bin/sh
# Starts Janus in deploy/docker-compose.yml: the VideoRoom admin_key comes
# from PARLEY_JANUS_ADMIN_KEY and the api_secret from PARLEY_JANUS_API_SECRET
# (the nodes' values), written into a copy of the configuration, since Janus
# reads no environment; JANUS_PUBLIC_IP, when set, is the address Janus
# announces behind a 1:1 NAT (cloud instances).
# JANUS_CONFIG_DIR: where the image keeps the configuration (/etc/janus).
set -eu
: "${PARLEY_JANUS_ADMIN_KEY:?set PARLEY_JANUS_ADMIN_KEY (deploy/.env)}"
: "${PARLEY_JANUS_API_SECRET:?set PARLEY_JANUS_API_SECRET (deploy/.env)}"
# Each goes in as a jcfg string through sed: none of " \ | & may change what it says.
for name in PARLEY_JANUS_ADMIN_KEY PARLEY_JANUS_API_SECRET; do
  eval "value=\$$name"
  case "$value" in *'"'* | *'\'* | *'|'* | *'&'*) echo "$name must not contain \" \\ | or &" >&2; exit 2 ;; esac
done
conf=$(mktemp -d)
cp "${JANUS_CONFIG_DIR:-/etc/janus}"/*.jcfg "$conf/"
sed -i "s|configs_folder = \"[^\"]*\"|configs_folder = \"$conf\"|" "$conf/janus.jcfg"
sed -i "s|CHANGE-ME-TO-PARLEY_JANUS_ADMIN_KEY|$PARLEY_JANUS_ADMIN_KEY|" "$conf/janus.plugin.videoroom.jcfg"
sed -i "s|CHANGE-ME-TO-PARLEY_JANUS_API_SECRET|$PARLEY_JANUS_API_SECRET|" "$conf/janus.jcfg"
exec /usr/bin/janus -F "$conf" ${JANUS_PUBLIC_IP:+--nat-1-1=$JANUS_PUBLIC_IP}
