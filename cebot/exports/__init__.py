"""File exports: transcripts as PDF and CSV, the team as CSV, and the team's progress chart (PNG)."""
