"""The files wing: the invoice's file on its Bill (fetched through the FileSource port, uploaded through QuickBooks)."""
