"""Make a release of the book: ``make release VERSION=X.Y.Z``.

Writes the version and the data's date into CITATION.cff (the one place they
are kept), regenerates .zenodo.json from it, commits both and tags the
commit vX.Y.Z. What it checks and why: ``lbclbook/toolchain/release.py``.

    python scripts/release.py 0.2.0 [--date 2026-12-01]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's lbclbook

from lbclbook.toolchain.release import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
