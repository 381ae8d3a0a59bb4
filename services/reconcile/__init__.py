"""What QuickBooks reports about our Bills (webhooks, CDC) applied, and what the periodic sweep finds."""
