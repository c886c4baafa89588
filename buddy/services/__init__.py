"""Use cases: each service validates typed input, changes models and commits once."""
