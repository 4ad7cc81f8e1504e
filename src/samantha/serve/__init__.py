"""``samantha serve``: her ears, brain and voice as Wyoming services, and a hub for satellites."""
