"""The turn: the turn loop, one turn, the state table, typed events, the wake gate."""
