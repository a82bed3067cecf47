"""Demo data: the cast of the method's three stories and synthetic people."""
