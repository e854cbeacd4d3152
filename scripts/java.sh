#!/usr/bin/env bash
# Makes sure a JDK 17 is on the machine (Debian); the Maven wrapper brings Maven itself.
set -euo pipefail
if command -v javac >/dev/null 2>&1 && javac -version 2>&1 | grep -qE 'javac (1[7-9]|2[0-9])'; then
  exit 0
fi
echo "[java] installing openjdk-17-jdk-headless" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
