"""Write ``publisher/render/font-coverage.json``: which characters the bundled font draws, per face.

The build checks every drawn character against the font; reading the font's cmap with fontTools
takes a third of a second on every run, this table a millisecond. Run this after upgrading the
font package (``manimgx-fonts-cjk``); ``tests/test_fonts.py`` compares the table with the font,
and at run time a font of another size is read directly instead of trusting the table.

    python tools/font_coverage.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.render import fonts  # noqa: E402


def main() -> None:
    table = fonts.coverage_table_from_font()
    fonts.COVERAGE_TABLE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"{fonts.COVERAGE_TABLE.relative_to(REPO)}: "
          + ", ".join(f"{face} {len(ranges.split())} ranges" for face, ranges in table["faces"].items()))


if __name__ == "__main__":
    main()
