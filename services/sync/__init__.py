"""Exactly one Bill per invoice in QuickBooks: the single and batch strategies, their shared steps, and outcomes."""
