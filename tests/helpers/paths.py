"""Where the project's files are (the sources' checkout, not an installed package: tests only)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
