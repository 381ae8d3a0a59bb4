"""Receiving uploads: the strict upload schema, new invoices, revisions and vendor changes."""
