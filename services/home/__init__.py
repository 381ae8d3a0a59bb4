"""The App Home: what waits for a person, published on their Home tab (imports read and changes)."""
