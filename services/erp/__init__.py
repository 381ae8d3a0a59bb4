"""The ERP round trip: events pushed in order on their schedule, replayed, paused when the endpoint is gone."""
