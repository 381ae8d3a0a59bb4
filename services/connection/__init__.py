"""The health of each QuickBooks connection, and the alert and probe that end a breakage."""
