"""Benchmark: reading certificates (cebot/certificates) on the generated corpus: per-field accuracy and time.

    python bench/certificates.py                 # 36 certificates (24 text PDFs, 12 photos) + one 12 MP photo
    python bench/certificates.py --small         # CI size: 6 PDFs, 2 photos, the 12 MP photo
    python bench/certificates.py --json-out r.json

Targets (issue 14): >= 95% of fields right on text PDFs and >= 80% on photos; a one-page text PDF read in under
1 s and a 12-megapixel photo in under 5 s on one core; peak memory under 500 MB.

The process (and so Tesseract, its child) is pinned to one CPU. Time is measured two ways per file: wall clock,
and CPU seconds of this process plus its children (Tesseract), which is what "on one core" costs and what a
busy shared machine does not inflate; the targets are checked on CPU seconds, wall is printed beside them with
the load average. Memory: the peak RSS of this process and the largest of its children, added (Tesseract runs
while the image is held), read from getrusage.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cebot.certificates import FIELDS, read_certificate
from cebot.testing.certificate_corpus import (
    Truth,
    certificate_path,
    make_truths,
    photograph,
    render_pdf,
    score,
    write_corpus,
)

TARGETS = {"pdf_accuracy": 0.95, "photo_accuracy": 0.80, "pdf_seconds": 1.0, "photo12_seconds": 5.0,
           "peak_mb": 500.0}


@dataclass
class Result:
    name: str
    kind: str
    layout: str
    wall: float
    cpu: float
    right: dict[str, bool]


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rss_kb(pid: int | str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[str]:
    """The child processes running another program (Tesseract). A child between fork and exec is this process's own
    memory seen a second time (subprocess uses vfork), so counting it would add this process's RSS again."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += (task / "children").read_text().split()
        except OSError:
            continue
    return [kid for kid in out if _exe(kid) not in (None, _exe(pid))]


def _exe(pid: int | str) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


class PeakRss:
    """Samples the RSS of this process plus its children (Tesseract) every 10 ms; ``peak_mb`` is the largest sum."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.01):
            self.peak_kb = max(self.peak_kb, _rss_kb(me) + sum(_rss_kb(c) for c in _children(me)))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def write_hard(folder: Path, photos: list[Truth]) -> None:
    """Harder photos of the same certificates, kind ``photo-hard``: keystoned, or small and heavily compressed."""
    for i, t in enumerate(photos):
        for cond, kwargs in (("keystone", {"keystone": 0.06}), ("lowres", {"megapixels": 1.2, "quality": 55})):
            hard = replace(t, name=f"cert{t.name[4:]}{cond}", kind="photo-hard")
            jpg = photograph(render_pdf(t), seed=i, **kwargs)  # type: ignore[arg-type]
            (folder / f"{hard.name}.jpg").write_bytes(jpg)
            (folder / f"{hard.name}.json").write_text(json.dumps(hard.__dict__))


def largest_image(path: Path) -> None:
    """A 7,000 x 7,000 (49 MP, just under the pixel limit) PNG "scan" with 40 lines of text: the memory worst case
    (a PNG is decoded whole; only JPEGs can be decoded at reduced scale)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (7000, 7000), "white")
    draw = ImageDraw.Draw(image)
    for i in range(40):
        draw.text((300, 200 + i * 150), f"Course Title: Ethics in Massage Therapy Practice {i}", fill="black",
                  font_size=80)
    image.save(path)


def timed_read(data: bytes) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    reading = read_certificate(data)
    return reading, time.perf_counter() - wall, cpu_seconds() - cpu


def read_all(folder: Path, out: Path) -> int:
    """The measured part, in a fresh process (so the corpus generator's memory is not counted)."""
    truths = [Truth(**json.loads(p.read_text())) for p in sorted(folder.glob("cert*.json"))]
    big = json.loads((folder / "photo12.json").read_text())
    with PeakRss() as rss:
        read_certificate(certificate_path(folder, truths[0]).read_bytes())  # warm-up: imports, fonts
        results = []
        for t in truths:
            reading, wall, cpu = timed_read(certificate_path(folder, t).read_bytes())
            results.append(Result(t.name, t.kind, t.layout, wall, cpu, score(reading, t)))
        reading, wall12, cpu12 = timed_read((folder / "photo12.jpg").read_bytes())
        right12 = score(reading, Truth(**big))
        _, wall49, cpu49 = timed_read((folder / "largest.png").read_bytes())
    out.write_text(json.dumps({"results": [r.__dict__ for r in results], "peak_mb": rss.peak_mb,
                               "photo12": {"cpu": cpu12, "wall": wall12, "right": right12},
                               "largest": {"cpu": cpu49, "wall": wall49}}))
    return 0


def summary(results: list[Result], kind: str) -> dict[str, float]:
    rows = [r for r in results if r.kind == kind]
    fields = [ok for r in rows for ok in r.right.values()]
    return {"files": len(rows), "accuracy": sum(fields) / len(fields) if fields else 0.0,
            "cpu_median": statistics.median(r.cpu for r in rows) if rows else 0.0,
            "cpu_max": max((r.cpu for r in rows), default=0.0),
            "wall_median": statistics.median(r.wall for r in rows) if rows else 0.0,
            "wall_max": max((r.wall for r in rows), default=0.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size: 6 PDFs and 2 photos")
    parser.add_argument("--hard", action="store_true",
                        help="also 12 harder photos: 6 taken at an angle (keystone), 6 at 1.2 MP, JPEG quality 55")
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU (default: the first allowed)")
    parser.add_argument("--json-out", type=Path, default=None)
    parser.add_argument("--read", type=Path, default=None, help=argparse.SUPPRESS)  # the measured child process
    args = parser.parse_args(argv)

    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if args.read is not None:
        return read_all(args.read, args.json_out)
    truths = make_truths()
    if args.small:
        truths = [t for t in truths if t.kind == "pdf"][:6] + [t for t in truths if t.kind == "photo"][:2]
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min), pinned to CPU {cpu}")
    with tempfile.TemporaryDirectory(prefix="cebot-bench-certs-") as tmp:
        folder = Path(tmp)
        made = time.perf_counter()
        write_corpus(folder, truths)
        if args.hard:
            write_hard(folder, [t for t in truths if t.kind == "photo"][:6])
        big = next(t for t in truths if t.kind == "photo")
        (folder / "photo12.jpg").write_bytes(photograph(render_pdf(big), seed=99, megapixels=12))
        (folder / "photo12.json").write_text(json.dumps(big.__dict__))
        largest_image(folder / "largest.png")
        print(f"corpus: {len(truths)} certificates and a 12 MP photo written in {time.perf_counter() - made:.1f} s")
        measured = folder / "measured.json"
        subprocess.run([sys.executable, __file__, "--read", str(folder), "--json-out", str(measured),
                        "--cpu", str(cpu)], check=True)
        data = json.loads(measured.read_text())
    results = [Result(**r) for r in data["results"]]
    photo12, peak = data["photo12"], data["peak_mb"]
    pdf, photo, hard = summary(results, "pdf"), summary(results, "photo"), summary(results, "photo-hard")

    print(f"\n{'kind':<7}{'files':>6}{'fields right':>14}{'cpu med s':>11}{'cpu max s':>11}{'wall med s':>12}"
          f"{'wall max s':>12}")
    for kind, row in (("pdf", pdf), ("photo", photo), ("hard", hard)):
        if not row["files"]:
            continue
        print(f"{kind:<7}{row['files']:>6.0f}{row['accuracy']:>13.1%} {row['cpu_median']:>10.3f} "
              f"{row['cpu_max']:>10.3f} {row['wall_median']:>11.3f} {row['wall_max']:>11.3f}")
    print(f"12 MP photo (4000 x 3000 JPEG of {big.name}): cpu {photo12['cpu']:.2f} s, wall {photo12['wall']:.2f} s, "
          f"{sum(photo12['right'].values())}/{len(photo12['right'])} fields right")
    print(f"largest accepted image (7,000 x 7,000 PNG scan, 49 MP): cpu {data['largest']['cpu']:.2f} s, "
          f"wall {data['largest']['wall']:.2f} s")
    print(f"peak RSS (reader process + Tesseract, sampled every 10 ms, all of the above): {peak:.0f} MB")
    per_field = {kind: {name: sum(r.right[name] for r in results if r.kind == kind) / max(1, row["files"])
                        for name in FIELDS} for kind, row in (("pdf", pdf), ("photo", photo))}
    print("\nper field      pdf   photo")
    for name in FIELDS:
        print(f"  {name:<18}{per_field['pdf'][name]:>5.0%} {per_field['photo'][name]:>7.0%}")
    wrong = [f"{r.name} ({r.kind}, {r.layout}): {name}" for r in results for name, ok in r.right.items() if not ok]
    if wrong:
        print("\nwrong fields:\n  " + "\n  ".join(wrong))
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")

    checks = {"pdf_accuracy": pdf["accuracy"] >= TARGETS["pdf_accuracy"],
              "photo_accuracy": photo["accuracy"] >= TARGETS["photo_accuracy"],
              "pdf_seconds": pdf["cpu_max"] < TARGETS["pdf_seconds"],
              "photo12_seconds": photo12["cpu"] < TARGETS["photo12_seconds"],
              "peak_mb": peak < TARGETS["peak_mb"]}
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'MISS'} {name} (target {TARGETS[name]})")
    if args.json_out:
        args.json_out.write_text(json.dumps({"pdf": pdf, "photo": photo, "photo_hard": hard, "photo12": photo12,
                                             "peak_mb": peak,
                                             "per_field": per_field, "checks": checks,
                                             "results": [r.__dict__ for r in results]}, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
