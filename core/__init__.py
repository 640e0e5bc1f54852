"""Plumbing every app may use and that knows no app of ours: JSON parsing, pagination, the
money field, the API error shape, base viewsets. It imports no app (import-linter checks)."""
