"""Duplicate detection: the rules (exact, near, boilerplate, article copies), MinHash/LSH, near-dup Beam stages."""
