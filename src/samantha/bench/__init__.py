"""``samantha bench``: end-to-end latency on this board, side by side with a naive cascade."""
