#!/usr/bin/env bash
# Debian's libraries for WeasyPrint (statement PDFs, BIL-8): Pango, PangoFT2, HarfBuzz's
# subsetter and a font. Installed only when missing; called by `make test` and `make demo`.
set -uo pipefail
missing=()
for lib in pango-1.0:libpango-1.0-0 pangoft2-1.0:libpangoft2-1.0-0 harfbuzz-subset:libharfbuzz-subset0; do
  python3 -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('${lib%%:*}') else 1)" \
    || missing+=("${lib#*:}")
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian's ${missing[*]} for statement PDFs (WeasyPrint)"
  (apt-get update -qq && apt-get install -y -qq "${missing[@]}") \
    || echo "could not install ${missing[*]}: statement PDFs (and their tests) will fail"
fi
exit 0
