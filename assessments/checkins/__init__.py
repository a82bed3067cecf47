"""Quarterly check-ins (S6): the sweep, delivery, signed links, the pages and emails."""
