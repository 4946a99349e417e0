#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when missing and we may (root + apt-get);
# otherwise say how, and the browser tests skip (CI sets REQUIRE_BROWSER=1 so they fail instead).
set -u
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/workbay-chromium.log 2>&1; then
    echo "chromium installed."
    exit 0
  fi
  echo "Could not install chromium (see /tmp/workbay-chromium.log)."
fi
echo "Chromium is missing: browser tests will be skipped. Install it with: sudo apt-get install chromium"
exit 0
