"""The next-rung plan and the 90-day sprint (S4–S5), its calendar feed and report."""
