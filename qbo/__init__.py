"""The QuickBooks Online adapter: the only package that imports python-quickbooks and intuitlib."""
