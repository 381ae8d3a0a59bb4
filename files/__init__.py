"""The adapter that fetches invoices' files for their Bills: the one owner of outgoing file downloads."""
