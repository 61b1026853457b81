"""``cebot read-certificate PATH [--json]``: print what cebot reads on a certificate file (nothing is stored)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from cebot.certificates.ncbtmb import NCBTMB_FIELDS, ncbtmb_missing
from cebot.certificates.ocr import OcrUnavailable
from cebot.certificates.read import Reading, read_certificate
from cebot.certificates.sniff import MAX_BYTES, CertificateRejected

LABELS = {"title": "Course", "hours": "Hours", "completion_date": "Completed", "provider": "Provider",
          "approval_number": "Approval #", "participant": "Participant", "provider_address": "Address",
          "provider_email": "Email", "delivery_format": "Format"}


def run(args: argparse.Namespace) -> int:
    """Exit 0 when read, 1 when the file is refused or cannot be read (the reason on stderr, or in the JSON)."""
    path = Path(args.path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # one byte past the limit is enough to refuse it
    except OSError as exc:
        print(f"Can't open {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        reading = read_certificate(data)
    except (CertificateRejected, OcrUnavailable) as exc:
        if args.json:
            print(json.dumps({"path": str(path), "rejected": str(exc)}, indent=2))
        else:
            print(f"{path}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"path": str(path), **reading.to_json(),
                          "ncbtmb_missing": ncbtmb_missing(reading)}, indent=2))
    else:
        print(render(path, reading))
    return 0


def render(path: Path, reading: Reading) -> str:
    lines = [f"{path} ({reading.media_type}, read by {reading.method} in {reading.seconds:.2f} s)"]
    for name, found in reading.fields().items():
        if not found.found:
            value = "not found"
        elif isinstance(found.value, date):
            value = found.value.isoformat()
        elif name == "hours":
            unit = f" (printed as {reading.hours_unit})" if reading.hours_unit else ""
            value = f"{found.value:g}{unit}"
        else:
            value = str(found.value)
        confidence = f"  [{found.confidence:.0%}]" if found.found else ""
        lines.append(f"  {LABELS[name] + ':':<13}{value}{confidence}")
    lines += [f"  note: {note}" for note in reading.notes]
    missing = ncbtmb_missing(reading)
    if missing:
        lines.append("  NCBTMB would want: " + "; ".join(NCBTMB_FIELDS[key] for key in missing))
    if not reading.looks_like_certificate:
        lines.append("  This does not look like a CE certificate (no course or hours and date found).")
    return "\n".join(lines)
