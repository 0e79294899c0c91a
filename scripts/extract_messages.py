"""Extract every text of the code and templates into a .pot: the one list of what marks a text
for the catalog (used by `make translations` and the catalog test)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Besides gettext and the like (pybabel's defaults, N_ among them): lazy texts, and the message
# argument of the errors services raise (plugin/services/errors.py), which screens translate.
KEYWORDS = ["_l", "FieldError:2", "AmountError:2", "PeriodClosed:2", "InvoiceError:2",
            "ConfirmEnd:2", "NotByEmail:2", "NumberError:2", "add:2", "Explained:1",
            "RunInProgress:1", "NotAllowed:1"]


def extract(pot: Path, *options: str) -> None:
    argv = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
            str(ROOT / "babel.cfg"), *(a for k in KEYWORDS for a in ("-k", k)), *options,
            "-o", str(pot), str(ROOT)]
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)


if __name__ == "__main__":
    extract(Path(sys.argv[1]), *sys.argv[2:])
