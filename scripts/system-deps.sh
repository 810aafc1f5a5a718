#!/usr/bin/env bash
# Installs the Debian packages the tests use, when they are missing and we may.
# Without them the browser and PDF-rendering tests skip and say why.
set -u
# poppler-data lets poppler read the CID fallback font (Adobe-GB1) in the font tests;
# zbar-tools reads back the QR codes printed on licences.
packages=(chromium fonts-wqy-zenhei poppler-utils poppler-data gettext zbar-tools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "NOTE: missing ${missing[*]} and cannot install them here (not root or no apt-get);"
  echo "      browser and PDF-rendering tests will be skipped."
  exit 0
fi
echo "Installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "NOTE: apt-get could not install ${missing[*]}; the tests that need them will be skipped."
exit 0
