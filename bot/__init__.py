"""The Slack bot: Bolt listeners, Block Kit cards and authorization, mounted on the Flask app."""
