"""The audit (S1–S3): the wizard, the result, reassessment and My ladder."""
