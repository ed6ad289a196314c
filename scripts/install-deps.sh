#!/usr/bin/env bash
# Installs whatever this project needs from Debian 12's packages and is missing. Run as root.
# Each package and why:
#   g++ cmake ninja-build      the toolchain (C++20, CMake >= 3.25)
#   libboost1.81-dev           Asio + Beast (header-only parts)
#   libssl-dev openssl         TLS and SHA-256/HMAC for SigV4
#   libsimdjson-dev            response and error parsing
#   doctest-dev                unit tests
set -euo pipefail
pkgs=(g++ cmake ninja-build libboost1.81-dev libssl-dev openssl libsimdjson-dev doctest-dev ca-certificates)
pkgs+=("$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
