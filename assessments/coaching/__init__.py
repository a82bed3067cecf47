"""Coaches and clients: invitations, consent, the dashboard, notes and digests."""
