"""The brain: persona, memory, facts, tools, reminders, mood, well-being, the output filter."""
