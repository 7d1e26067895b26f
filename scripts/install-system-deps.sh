#!/usr/bin/env bash
# Install the Debian packages the book needs, once. Safe to run again: it
# only calls apt when a package is missing. Run as root (CI and the dev
# machines are), or with sudo available.
set -euo pipefail

# What needs what:
#   git        - the tests compare figures/ against the committed tree
#   chromium   - the browser tests drive it through Playwright (never a
#                browser download: tests/test_browser.py)
#   npm        - installs axe-core for the browser tests; only when the
#                machine has none (ours ship Node.js with npm)
#   python3-venv is not needed: the machines' Python ships venv.
#   texlive-xetex latexmk texlive-latex-extra texlive-latex-recommended
#   texlive-fonts-recommended fonts-freefont-otf
#              - `make pdf`: XeLaTeX typesets the chapter PDFs (about 80 MB;
#                lbclbook/toolchain/latex/ stands in for bbm.sty, xindy is not used)
#   poppler-utils - the tests read the PDFs' text (pdftotext, pdfinfo)
#   libreoffice-impress - the tests prove each chapter's slide deck renders
#                (soffice --headless --convert-to pdf)
PACKAGES=(git chromium)
command -v npm > /dev/null || PACKAGES+=(npm)
PACKAGES+=(texlive-xetex latexmk texlive-latex-extra texlive-latex-recommended
           texlive-fonts-recommended fonts-freefont-otf poppler-utils
           libreoffice-impress)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
