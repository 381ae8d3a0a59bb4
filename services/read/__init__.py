"""What people see: the invoice view, its Slack cards and thread lines, and /invoice lookups."""
